"""Time zone names as calendars write them: IANA names, or the Windows names Outlook and Exchange use.

Graph gives an all-day event's zone as the organiser's Windows zone ("Pacific Standard Time"), and .ics files made
by Outlook carry the same names as TZIDs. zoneinfo knows only IANA names, so the common Windows ones are mapped
here (CLDR's windowsZones.xml, territory "001"). An unknown name gives ``None``: the caller falls back to a zone it
knows.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WINDOWS_ZONES = {
    "Dateline Standard Time": "Etc/GMT+12", "UTC-11": "Etc/GMT+11", "Hawaiian Standard Time": "Pacific/Honolulu",
    "Alaskan Standard Time": "America/Anchorage", "Pacific Standard Time": "America/Los_Angeles",
    "US Mountain Standard Time": "America/Phoenix", "Mountain Standard Time": "America/Denver",
    "Central America Standard Time": "America/Guatemala", "Central Standard Time": "America/Chicago",
    "Central Standard Time (Mexico)": "America/Mexico_City", "Canada Central Standard Time": "America/Regina",
    "SA Pacific Standard Time": "America/Bogota", "Eastern Standard Time": "America/New_York",
    "US Eastern Standard Time": "America/Indianapolis", "Atlantic Standard Time": "America/Halifax",
    "Venezuela Standard Time": "America/Caracas", "SA Western Standard Time": "America/La_Paz",
    "Pacific SA Standard Time": "America/Santiago", "Newfoundland Standard Time": "America/St_Johns",
    "E. South America Standard Time": "America/Sao_Paulo", "Argentina Standard Time": "America/Buenos_Aires",
    "SA Eastern Standard Time": "America/Cayenne", "Greenland Standard Time": "America/Godthab",
    "Azores Standard Time": "Atlantic/Azores", "Cape Verde Standard Time": "Atlantic/Cape_Verde",
    "UTC": "Etc/UTC", "Coordinated Universal Time": "Etc/UTC", "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik", "Morocco Standard Time": "Africa/Casablanca",
    "W. Europe Standard Time": "Europe/Berlin", "Central Europe Standard Time": "Europe/Budapest",
    "Romance Standard Time": "Europe/Paris", "Central European Standard Time": "Europe/Warsaw",
    "W. Central Africa Standard Time": "Africa/Lagos", "GTB Standard Time": "Europe/Bucharest",
    "E. Europe Standard Time": "Europe/Chisinau", "Egypt Standard Time": "Africa/Cairo",
    "South Africa Standard Time": "Africa/Johannesburg", "FLE Standard Time": "Europe/Kiev",
    "Israel Standard Time": "Asia/Jerusalem", "Arabic Standard Time": "Asia/Baghdad",
    "Turkey Standard Time": "Europe/Istanbul", "Arab Standard Time": "Asia/Riyadh",
    "Russian Standard Time": "Europe/Moscow", "E. Africa Standard Time": "Africa/Nairobi",
    "Iran Standard Time": "Asia/Tehran", "Arabian Standard Time": "Asia/Dubai",
    "Afghanistan Standard Time": "Asia/Kabul", "Pakistan Standard Time": "Asia/Karachi",
    "India Standard Time": "Asia/Calcutta", "Sri Lanka Standard Time": "Asia/Colombo",
    "Nepal Standard Time": "Asia/Katmandu", "Bangladesh Standard Time": "Asia/Dhaka",
    "Myanmar Standard Time": "Asia/Rangoon", "SE Asia Standard Time": "Asia/Bangkok",
    "China Standard Time": "Asia/Shanghai", "Singapore Standard Time": "Asia/Singapore",
    "Taipei Standard Time": "Asia/Taipei", "W. Australia Standard Time": "Australia/Perth",
    "Tokyo Standard Time": "Asia/Tokyo", "Korea Standard Time": "Asia/Seoul",
    "Cen. Australia Standard Time": "Australia/Adelaide", "AUS Central Standard Time": "Australia/Darwin",
    "E. Australia Standard Time": "Australia/Brisbane", "AUS Eastern Standard Time": "Australia/Sydney",
    "Tasmania Standard Time": "Australia/Hobart", "New Zealand Standard Time": "Pacific/Auckland",
    "Tonga Standard Time": "Pacific/Tongatapu", "Samoa Standard Time": "Pacific/Apia",
}

# Writing goes the other way: Graph's create and update accept every Windows name but only some IANA ones, so an
# event is written in the Windows zone of the provider's IANA zone. These are the current IANA names of zones the
# table above spells the old way, and other common zones that share a Windows zone.
IANA_TO_WINDOWS = {iana: windows for windows, iana in WINDOWS_ZONES.items() if iana != "Etc/UTC"} | {
    "Etc/UTC": "UTC", "UTC": "UTC", "Asia/Kolkata": "India Standard Time", "Asia/Kathmandu": "Nepal Standard Time",
    "America/Nuuk": "Greenland Standard Time", "Asia/Yangon": "Myanmar Standard Time",
    "America/Indiana/Indianapolis": "US Eastern Standard Time", "Europe/Kyiv": "FLE Standard Time",
    "America/Argentina/Buenos_Aires": "Argentina Standard Time", "America/Toronto": "Eastern Standard Time",
    "America/Detroit": "Eastern Standard Time", "America/Vancouver": "Pacific Standard Time",
    "America/Edmonton": "Mountain Standard Time", "America/Winnipeg": "Central Standard Time",
    "Europe/Dublin": "GMT Standard Time", "Europe/Lisbon": "GMT Standard Time",
    "Europe/Madrid": "Romance Standard Time", "Europe/Brussels": "Romance Standard Time",
    "Europe/Copenhagen": "Romance Standard Time",
    "Europe/Amsterdam": "W. Europe Standard Time", "Europe/Rome": "W. Europe Standard Time",
    "Europe/Vienna": "W. Europe Standard Time", "Europe/Zurich": "W. Europe Standard Time",
    "Europe/Stockholm": "W. Europe Standard Time", "Europe/Oslo": "W. Europe Standard Time",
    "Europe/Prague": "Central Europe Standard Time", "Europe/Helsinki": "FLE Standard Time",
    "Europe/Athens": "GTB Standard Time", "Asia/Hong_Kong": "China Standard Time",
    "Australia/Melbourne": "AUS Eastern Standard Time", "Asia/Manila": "Singapore Standard Time",
}


def windows_name(iana: str) -> str:
    """The Windows name of an IANA zone, or "" when it is not known here (the caller then writes UTC)."""
    return IANA_TO_WINDOWS.get(iana, "")


def zone_for(name: str | None) -> tzinfo | None:
    """The zone an IANA or Windows name stands for; ``None`` when the name is empty or unknown."""
    name = (name or "").strip()
    if not name:
        return None
    if name in ("UTC", "tzone://Microsoft/Utc"):
        return UTC
    try:
        return ZoneInfo(WINDOWS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        return None
