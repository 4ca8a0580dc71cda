"""What the server-rendered picker shows: days with free slots, and the times of the chosen day."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from ..bookings.availability import available_slots, local_day_bounds
from ..bookings.intake import InvalidInput, check_timezone
from ..conf import booking_settings
from ..timezones import known_zones
from .forms import BookingForm


def client_zone(params) -> str:
    try:
        return check_timezone(params.get("booking_tz") or booking_settings.default_timezone)
    except InvalidInput:
        return booking_settings.default_timezone


def slot_value(slot) -> str:
    return f"{slot.start.isoformat()}|{slot.provider_id}"


def picker_context(request, service, provider_ids, params, form=None, alternatives=None):
    zone_name = client_zone(params)
    zone = ZoneInfo(zone_name)
    today = timezone.now().astimezone(zone).date()
    start, end = local_day_bounds(today, today + timedelta(days=booking_settings.BLOCK_DAYS_AHEAD - 1), zone_name)
    by_day = {}
    for slot in available_slots(service, start, end, provider_ids):
        by_day.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
    chosen = _chosen_day(params, service, by_day)
    times = [(slot_value(slot), slot.start.astimezone(zone)) for slot in by_day.get(chosen, [])]
    if alternatives:
        times = [(slot_value(slot), slot.start.astimezone(zone)) for slot in alternatives]
    return {
        "service": service,
        "zone_name": zone_name,
        "days": sorted(by_day),
        "chosen_day": chosen,
        "times": times,
        "form": form or BookingForm(service, initial={"timezone": zone_name}, auto_id=_auto_id(request, service)),
        "provider_ids": provider_ids,
        "timezones": _zones(),
        "currency": getattr(settings, "OSCAR_DEFAULT_CURRENCY", ""),
    }


def _auto_id(request, service):
    """Django's ids (``id_name``...) for a page's first booking form, ids with the service's pk for any further one.

    A page with several booking blocks must not repeat ids: a label names (and, tapped, focuses) the first
    element with its ``for`` id, so the later blocks' fields would have no accessible name.
    """
    count = getattr(request, "_wagtail_booking_forms", 0)
    request._wagtail_booking_forms = count + 1
    return "id_%s" if count == 0 else f"id_{service.pk}_%s"


def _chosen_day(params, service, by_day):
    if str(params.get("booking_service")) == str(service.pk):
        try:
            day = date.fromisoformat(params.get("booking_date", ""))
        except ValueError:
            day = None
        if day in by_day:
            return day
    return min(by_day) if by_day else None


_ZONES = None


def _zones():
    global _ZONES
    if _ZONES is None:
        _ZONES = sorted(z for z in known_zones() if "/" in z and not z.startswith("Etc/"))
    return _ZONES
