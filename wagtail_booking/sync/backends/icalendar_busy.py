"""Busy time from iCalendar text, shared by the CalDAV and iCal subscription backends. Pure: no Django, no I/O.

``busy_events(text, start, end, zone)`` expands every VEVENT of a VCALENDAR (RRULE, RDATE, EXDATE, occurrences
overridden by RECURRENCE-ID) with ``recurring-ical-events`` into :class:`BusyEvent` spans overlapping [start, end).
An occurrence keeps its wall-clock time in its own TZID across a DST change; floating times and all-day dates are
read in the provider's ``zone``. Free (TRANSP:TRANSPARENT), cancelled, and our own events (they carry
:data:`MARKER`, i.e. they are the bookings themselves) are not busy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone

from .base import BusyEvent

# The property every event this package writes carries (value: the booking reference).
MARKER = "X-WAGTAIL-BOOKING-REFERENCE"
PRIVATE_CLASSES = {"PRIVATE", "CONFIDENTIAL"}
RECURRING_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")
MAX_UID = 200


class InvalidICalendar(ValueError):
    """The text is not an iCalendar VCALENDAR (an HTML page, an empty body, a broken file)."""


def parse(text: str | bytes) -> icalendar.Calendar:
    """The VCALENDAR in ``text``, with X-WR-TIMEZONE (Google's public feeds) turned into real TZIDs."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", errors="replace")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise InvalidICalendar("not a VCALENDAR")
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise InvalidICalendar(str(error)) from error
    if calendar.name != "VCALENDAR":
        raise InvalidICalendar("not a VCALENDAR")
    return x_wr_timezone.to_standard(calendar)


def busy_events(text: str | bytes | icalendar.Calendar, start: datetime, end: datetime, zone: str,
                private_title: str = "Busy") -> list[BusyEvent]:
    """Every busy occurrence in ``text`` overlapping [start, end), sorted by start; see the module docstring.

    ``uid`` is the event's UID, or for an event that recurs the UID and the occurrence's original start in UTC
    (``UID/20270315T130000Z``; the date alone for an all-day series), so a moved occurrence keeps its uid.
    ``private_title`` replaces the summary of PRIVATE and CONFIDENTIAL events.
    """
    calendar = text if isinstance(text, icalendar.Calendar) else parse(text)
    tz = ZoneInfo(zone)
    recurring = {str(event.get("UID", "")) for event in calendar.walk("VEVENT")
                 if any(name in event for name in RECURRING_PROPERTIES)}
    try:
        occurrences = recurring_ical_events.of(calendar, components=["VEVENT"]).between(start, end)
    except (ValueError, TypeError, KeyError) as error:  # a broken RRULE or date inside a well-formed file
        raise InvalidICalendar(str(error)) from error
    found = {}
    for occurrence in occurrences:
        busy = _busy(occurrence, tz, recurring, private_title)
        if busy is not None and busy.end > start and busy.start < end:
            found[busy.uid] = busy
    return sorted(found.values(), key=lambda busy: (busy.start, busy.uid))


def is_ours(event) -> bool:
    return MARKER in event


def _busy(event, tz: ZoneInfo, recurring: set[str], private_title: str) -> BusyEvent | None:
    if is_ours(event) or str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    span = _span(event, tz)
    if span is None:
        return None
    uid = str(event.get("UID", "")) or f"no-uid-{span[0]:%Y%m%dT%H%M%S}"
    stamp = _stamp(event.get("RECURRENCE-ID"), event["DTSTART"], tz) if uid in recurring else ""
    if len(uid) > MAX_UID:  # some services make UIDs of hundreds of characters; busy blocks keep 255
        uid = "sha256:" + hashlib.sha256(uid.encode()).hexdigest()
    if stamp:
        uid = f"{uid}/{stamp}"
    private = str(event.get("CLASS", "")).upper() in PRIVATE_CLASSES
    title = private_title if private else str(event.get("SUMMARY", ""))
    return BusyEvent(uid=uid, start=span[0], end=span[1], title=title[:200])


def _span(event, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """(start, end) as aware datetimes; an all-day event covers its days from midnight in ``tz``."""
    first = event["DTSTART"].dt
    last = event["DTEND"].dt if "DTEND" in event else first
    if isinstance(first, datetime) and isinstance(last, datetime):
        span = _aware(first, tz), _aware(last, tz)
    elif not isinstance(first, datetime):  # all-day: DTEND is the day after (exclusive)
        after = last if isinstance(last, date) and not isinstance(last, datetime) else first + timedelta(days=1)
        span = _midnight(first, tz), _midnight(max(after, first + timedelta(days=1)), tz)
    else:
        return None
    return span if span[1] > span[0] else None


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # combine + zoneinfo, then through UTC: a day that starts at a skipped 00:00 still gets its real start
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(ZoneInfo("UTC")).astimezone(tz)


def _stamp(recurrence_id, dtstart, tz: ZoneInfo) -> str:
    original = (recurrence_id or dtstart).dt
    if not isinstance(original, datetime):
        return f"{original:%Y%m%d}"
    return f"{_aware(original, tz).astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}"


def zone_name(moment: datetime, default: str) -> str:
    """The IANA zone of an aware datetime: the engine passes the import window in the provider's zone, which is
    the zone all-day and floating events are read in."""
    return getattr(moment.tzinfo, "key", None) or default


def uids(events: Iterable[BusyEvent]) -> list[str]:
    return sorted({event.uid for event in events})
