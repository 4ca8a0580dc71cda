"""The picker's "Join the waitlist": offered for a chosen day with no free time, or a time just taken."""

from datetime import date

from django.core.exceptions import ValidationError

from ..waitlist.forms import JoinForm
from .forms import parse_slot


def join_form(request, service, zone_name, chosen_day, free_days, provider_ids, chosen_provider, params,
              alternatives=None):
    """An unbound :class:`JoinForm` for what the client could not book, or None when nothing is full.

    After a POST only a lost race (``alternatives`` given, even empty) offers one: for the time that was taken."""
    provider = chosen_provider.pk if chosen_provider else (provider_ids[0] if provider_ids else None)
    initial = {"timezone": zone_name, "provider": provider}
    if request.method == "POST":
        if alternatives is None:
            return None
        try:
            start, _provider = parse_slot(request.POST.get("slot"))
        except ValidationError:
            return None
        return JoinForm(service, initial={**initial, "start": start.isoformat()})
    day = chosen_day
    if day is None and str(params.get("booking_service")) == str(service.pk):
        try:
            day = date.fromisoformat(params.get("booking_date", ""))
        except ValueError:
            return None
    if day is None or day in free_days:
        return None
    return JoinForm(service, initial={**initial, "day": day.isoformat()})
