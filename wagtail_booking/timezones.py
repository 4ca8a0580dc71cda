"""IANA zone names: every name ``zoneinfo`` knows (for checking input), and the canonical ones a person picks from.

The list offered to people is IANA's own selection tables, ``zone1970.tab`` and ``zone.tab`` (the tables tzdata
ships "to help users select time zones"), read from the ``tzdata`` package or the system's zoneinfo directory.
They hold no backward-compatibility aliases (``US/Eastern``, ``Asia/Calcutta``, ``Europe/Kiev``); an alias a
browser reports is mapped to its zone through the ``L`` (link) lines of ``tzdata.zi``.
"""

import zoneinfo
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

# Offered first, before the full list: the zones most clients of an English-speaking site live in.
COMMON_ZONES = (
    "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York", "America/Toronto",
    "America/Sao_Paulo", "UTC", "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
    "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
    "Pacific/Auckland",
)


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_known_zone(name) -> bool:
    return isinstance(name, str) and name in known_zones()


def _tzdata_text(name) -> str:
    """A file of the tz database: from the ``tzdata`` package, else the first zoneinfo directory that has it."""
    try:
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        for directory in zoneinfo.TZPATH:
            path = Path(directory) / name
            if path.exists():
                return path.read_text(encoding="utf-8")
    return ""


@lru_cache(maxsize=1)
def canonical_zones() -> tuple[str, ...]:
    """The zones people choose from, sorted: IANA's selection tables plus UTC, limited to what zoneinfo has."""
    names = {"UTC"}
    for table in ("zone1970.tab", "zone.tab"):
        for line in _tzdata_text(table).splitlines():
            if line and not line.startswith("#"):
                names.add(line.split("\t")[2])
    if len(names) == 1:  # no tables anywhere: fall back to every non-alias-looking name
        names |= {z for z in known_zones() if "/" in z and not z.startswith(("Etc/", "US/", "SystemV/"))}
    return tuple(sorted(names & known_zones()))


@lru_cache(maxsize=1)
def _links() -> dict[str, str]:
    links = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            _kind, target, alias = line.split()[:3]
            links[alias] = target
    return links


def canonical_zone(name) -> str | None:
    """``name`` as one of :func:`canonical_zones` (following a link such as Asia/Calcutta), or ``None``."""
    offered = set(canonical_zones())
    seen = set()
    while isinstance(name, str) and name not in offered and name not in seen:
        seen.add(name)
        name = _links().get(name)
    return name if name in offered else None


def zone_label(name, moment: datetime) -> str:
    """``"(UTC−05:00) New York, America"``: the zone's offset at ``moment`` and its city."""
    offset = moment.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    if name == "UTC":
        return f"(UTC{sign}{hours:02}:{rest:02}) UTC"
    area, _sep, place = name.partition("/")
    city = place.rsplit("/", 1)[-1].replace("_", " ")
    region = place.rsplit("/", 1)[0].replace("_", " ") if "/" in place else area
    return f"(UTC{sign}{hours:02}:{rest:02}) {city}, {region}"


def zone_choices(moment: datetime, first=None) -> tuple[list, list]:
    """``(common, others)``, each a list of ``(name, label)``: ``first`` (the zone shown now) then the common
    zones, and every other canonical zone ordered by its offset at ``moment``, then city."""
    return _zone_choices(moment.replace(minute=0, second=0, microsecond=0), first)


@lru_cache(maxsize=64)
def _zone_choices(hour: datetime, first):
    leading = [first] if first and first not in COMMON_ZONES else []
    common = [(name, zone_label(name, hour)) for name in [*leading, *COMMON_ZONES] if name in known_zones()]
    shown = {name for name, _label in common}
    others = [(name, zone_label(name, hour)) for name in canonical_zones() if name not in shown]
    others.sort(key=lambda item: (hour.astimezone(zoneinfo.ZoneInfo(item[0])).utcoffset(), item[1]))
    return common, others
