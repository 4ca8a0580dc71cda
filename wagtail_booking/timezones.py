"""IANA zone names: every name ``zoneinfo`` knows (for checking input), the canonical ones a person picks from, and
the form field that picks one (``TimeZoneField``, used for a provider's zone and a business's).

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

from django import forms
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

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



class TimeZoneSelect(forms.Select):
    """A ``<select>`` of the canonical zones, the common ones first, each labelled with its offset and city; it
    works as is, and ``zone_chooser.js`` adds a box that narrows the list to the zones matching what is typed."""

    template_name = "wagtail_booking/widgets/zone_select.html"

    class Media:
        js = ["wagtail_booking/admin/zone_chooser.js"]
        css = {"all": ["wagtail_booking/admin/admin.css"]}

    def get_context(self, name, value, attrs):
        zone = canonical_zone(value) or ""
        common, others = zone_choices(django_timezone.now(), first=zone or None)
        self.choices = [("", _("Choose a time zone")), (_("Common zones"), common),
                        (_("Every zone, by its offset now"), others)]
        context = super().get_context(name, zone, attrs)
        context["search_label"] = _("Search time zones (city, country or offset)")
        return context


class TimeZoneField(forms.CharField):
    """One of :func:`canonical_zones`, stored as its IANA name. An alias stored earlier (``US/Eastern``) is shown
    as its zone and saved as it (``America/New_York``); anything else is a form error."""

    widget = TimeZoneSelect

    def __init__(self, *args, max_length=None, **kwargs):
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        raw = (super().to_python(value) or "").strip()
        if raw and canonical_zone(raw) is None:
            raise forms.ValidationError(
                _("“%(zone)s” is not a time zone: choose one from the list, e.g. America/New_York."),
                params={"zone": raw}, code="invalid_zone")
        return canonical_zone(raw) if raw else ""
