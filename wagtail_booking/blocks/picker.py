"""What the picker shows: the free days of the next weeks, the chosen day's times grouped by part of the day, the
next free day when the chosen one is full, the providers a client may choose from, and the zones to show times in.

The server-rendered form works alone; the same free times go into the page as JSON (``picker_data``) for the
calendar the script draws, so the enhanced picker costs no request and no query more than the plain one.
"""

from datetime import date, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..bookings.availability import load_schedules, load_sessions, local_day_bounds
from ..bookings.resources import restrict_to_pool
from ..conf import booking_settings
from ..scheduling import compute_slots
from ..scheduling.seats import class_slots
from ..site_settings import business_currency
from ..snippets.models import Provider
from ..snippets.prices import currencies_of, price_in, with_tax
from ..timezones import canonical_zone, zone_choices
from .forms import BookingForm, card_consent_for
from .waitlist import join_form

FIXED, CLIENT, ANY = "fixed", "client", "any"
# (name, first hour): a time belongs to the last part of the day whose first hour it has reached.
PERIODS = (("morning", _("Morning"), 0), ("afternoon", _("Afternoon"), 12), ("evening", _("Evening"), 17))


def client_zone(params) -> str:
    """The zone asked for (an alias such as US/Eastern becomes America/New_York), else the site's default zone."""
    return (canonical_zone(params.get("booking_tz")) or canonical_zone(booking_settings.default_timezone)
            or booking_settings.default_timezone)


def slot_value(slot) -> str:
    return f"{slot.start.isoformat()}|{slot.provider_id}"


def picker_context(request, service, provider_ids, params, form=None, alternatives=None, choice=None,
                   currency_choice=False):
    """The template context of the picker. ``choice`` is the block's provider setting (``CLIENT`` lets the
    client pick one of ``service``'s providers); ``provider_ids`` a fixed provider, or ``None`` for any;
    ``currency_choice`` the block's "let the client choose the currency"."""
    zone_name = client_zone(params)
    zone = ZoneInfo(zone_name)
    currency = business_currency(service.site)
    now = timezone.now()
    today = now.astimezone(zone).date()
    last = today + timedelta(days=booking_settings.BLOCK_DAYS_AHEAD - 1)
    start, end = local_day_bounds(today, last, zone_name)
    providers = _client_providers(service) if choice == CLIENT and not provider_ids else []
    chosen_provider = _chosen_provider(params, service, providers)
    # One load for every provider (3 queries); the client's choice only filters the computed starts.
    schedules = load_schedules(service, start, end, provider_ids, now)
    slots = restrict_to_pool(service, compute_slots(schedules, service.rules, start, end, now), start, end, now)
    pooled = {slot.start for slot in slots}
    by_provider = {s.provider_id: [slot for slot in compute_slots([s], service.rules, start, end, now)
                                   if slot.start in pooled] for s in schedules if providers}
    if service.is_class:
        slots, by_provider = _class_starts(service, schedules, slots, by_provider, start, end, now)
    shown = by_provider.get(chosen_provider.pk, []) if chosen_provider else slots
    by_day = {}
    for slot in shown:
        by_day.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
    chosen = _chosen_day(params, service, by_day, today, last)
    times = [(slot_value(slot), slot.start.astimezone(zone), seats_left_label(slot))
             for slot in by_day.get(chosen, [])]
    if alternatives:
        times = [(slot_value(slot), slot.start.astimezone(zone), seats_left_label(slot)) for slot in alternatives]
    common_zones, other_zones = zone_choices(now, zone_name)
    return {
        "service": service,
        "zone_name": zone_name,
        "days": sorted(set(by_day) | ({chosen} if chosen else set())),
        "free_days": by_day,
        "chosen_day": chosen,
        "next_available": _next_available(by_day, chosen) if chosen and chosen not in by_day else None,
        "times": times,
        "periods": group_times(times, zone),
        "form": form or BookingForm(service, initial={"timezone": zone_name}, auto_id=_auto_id(request, service),
                                       card_consent=card_consent_for(service),
                                       prices=offered_prices(service, currency_choice)),
        "provider_ids": provider_ids,
        "providers": providers,
        "chosen_provider": chosen_provider,
        "common_zones": common_zones,
        "other_zones": other_zones,
        "picker_id": f"wb-picker-{service.pk}",
        "back_path": _back_path(request),
        "picker_data": _picker_data(zone_name, today, last, slots, by_provider, chosen_provider, chosen),
        "currency": currency,
        # As the client pays them: with tax when the business adds it on top (the payment page's amounts).
        "price_with_tax": with_tax(service, service.price, currency),
        "deposit_with_tax": with_tax(service, service.deposit_due, currency),
        "waitlist_form": join_form(request, service, zone_name, chosen, by_day, provider_ids, chosen_provider, params,
                                   alternatives),
    }


def _class_starts(service, schedules, slots, by_provider, start, end, now):
    """A class's starts, for all providers and for each: its sessions with seats left, then new ones (1 query)."""
    sessions = load_sessions(service, [s.provider_id for s in schedules], start, end, now)

    def starts(open_slots, provider_id=None):
        own = [s for s in sessions if provider_id is None or s.provider_id == provider_id]
        return class_slots(open_slots, own, service.rules, start, end, now, service.capacity)

    return starts(slots), {pk: starts(items, pk) for pk, items in by_provider.items()}


def seats_left_label(slot) -> str:
    """"3 of 12 seats left" for a class's start; "" for a one-to-one service's."""
    if slot.seats_left is None:
        return ""
    return ngettext("%(left)s of %(capacity)s seat left", "%(left)s of %(capacity)s seats left",
                    slot.seats_left) % {"left": slot.seats_left, "capacity": slot.capacity}


def offered_prices(service, currency_choice: bool) -> list:
    """The prices a client chooses among: each currency the service is priced in if the block lets them choose."""
    return [price_in(service, code) for code in currencies_of(service)] if currency_choice else []


def group_times(times, zone):
    """``times`` (value, moment) split into the parts of the day that have any: [(key, label, times)]."""
    groups = {key: [] for key, _label, _hour in PERIODS}
    for value, moment, *rest in times:
        hour = moment.astimezone(zone).hour
        key = [key for key, _label, first in PERIODS if hour >= first][-1]
        groups[key].append((value, moment, *rest))
    return [(key, label, groups[key]) for key, label, _hour in PERIODS if groups[key]]


def _picker_data(zone_name, today, last, slots, by_provider, chosen_provider, chosen):
    """The free times for the script: ISO starts (with the provider who takes each) for "any provider" and,
    when the client chooses, for each provider."""
    def starts(items):  # a class's starts also say how many seats are left
        return [[slot.start.isoformat(), slot.provider_id, *([seats_left_label(slot)] if slot.capacity else [])]
                for slot in items]
    return {
        "zone": zone_name, "first": today.isoformat(), "last": last.isoformat(),
        "chosen": chosen.isoformat() if chosen else None,
        "provider": str(chosen_provider.pk) if chosen_provider else "",
        "slots": {"": starts(slots), **{str(pk): starts(items) for pk, items in by_provider.items()}},
        "words": script_words(),
    }


def script_words() -> dict:
    """The words booking.js writes, in the active language ({day} and {count} are filled in by the script)."""
    return {
        "morning": _("Morning"), "afternoon": _("Afternoon"), "evening": _("Evening"),
        "previous_month": _("Previous month"), "next_month": _("Next month"),
        "free_times_on": _("{count} free times on {day}"), "no_free_times_on": _("No free times on {day}."),
        "free_times": _("free times"), "no_free_times": _("no free times"), "not_bookable": _("not bookable"),
        "time_on": _("Time on {day}"), "next_available": _("Next available: {day}"),
        "detected_zone": _("Detected time zone"), "search_zones": _("Search time zones"),
        "zone_matches": _("{count} time zone matches"), "zones_match": _("{count} time zones match"),
    }


def _back_path(request):
    """The path of the block's page (the error page is POST-only: its form names the page in ``next``)."""
    path = urlsplit(request.POST.get("next", "/") if request.method == "POST" else request.path).path
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


def _client_providers(service):
    return list(Provider.objects.filter(services=service, active=True, site_id=service.site_id)
                .order_by("pk").only("pk", "name"))


def _chosen_provider(params, service, providers):
    if str(params.get("booking_service")) != str(service.pk):
        return None
    wanted = params.get("booking_provider") or ""
    return next((p for p in providers if str(p.pk) == wanted), None)


def _auto_id(request, service):
    """Django's ids (``id_name``...) for a page's first booking form, ids with the service's pk for any further one.

    A page with several booking blocks must not repeat ids: a label names (and, tapped, focuses) the first
    element with its ``for`` id, so the later blocks' fields would have no accessible name.
    """
    count = getattr(request, "_wagtail_booking_forms", 0)
    request._wagtail_booking_forms = count + 1
    return "id_%s" if count == 0 else f"id_{service.pk}_%s"


def _chosen_day(params, service, by_day, today, last):
    """The day asked for, even a full one (the page then offers the next free day), else the first free day."""
    if not by_day:
        return None
    if str(params.get("booking_service")) == str(service.pk):
        try:
            day = date.fromisoformat(params.get("booking_date", ""))
        except ValueError:
            day = None
        if day is not None and today <= day <= last:
            return day
    return min(by_day)


def _next_available(by_day, day):
    later = [free for free in by_day if free > day]
    return min(later) if later else (min(by_day) if by_day else None)
