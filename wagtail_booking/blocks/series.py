"""The booking block's recurring series: the "Repeat" choice sends the client to a review of every date (in their
zone, with conflicts and the same day's free times to pick instead), and only that page's POST books.

Server-rendered and plain POSTs, so it works without JavaScript. The review carries the client's details in
hidden fields; the booking view validates them again, and ``bookings.series.book`` re-checks every date under the
provider lock.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..bookings import history, series_payments, services
from ..bookings import series as booking_series
from ..bookings.models import BookingSeries
from ..bookings.tokens import manage_token
from ..businesses import site_for_request
from ..checkout import series_upfront
from ..checkout.handoff import get_payment_handoff
from ..conf import booking_settings
from ..formats import money
from ..snippets.models import Provider, Service
from ..snippets.prices import NotPricedIn, price_in, with_tax
from ..throttling import rate_limited
from .forms import BookingForm, allows_currency_choice, card_consent_for
from .picker import offered_prices

REPLACE_PREFIX = "replace_"
# What the review page does not carry over from the picker's POST (it sets these itself).
NOT_CARRIED = {"csrfmiddlewaretoken", "on_conflict", "deposit_payment"}


def wants_series(request) -> bool:
    """The picker's "Repeat" is set to something other than "Does not repeat"."""
    return bool(request.POST.get("repeat_every"))


def review(request, service, form, provider_ids, back, status=200, message=None):
    """Every date of the asked series in the client's zone, the conflicts with their alternatives, and the
    all-or-nothing or skip choice. ``form`` is the picker's valid form; nothing is booked here."""
    zone_name = form.cleaned_data["timezone"]
    try:
        provider, rule = _provider_and_rule(request, service, form, provider_ids)
        plan = booking_series.plan(service, provider, rule)
    except services.BookingError as error:
        return None, error
    zone = ZoneInfo(zone_name)
    rooms = _room_names(service, plan)
    context = {
        "service": service, "plan": plan, "zone_name": zone_name, "provider": provider, "back": back,
        "message": message, "booking_base_template": booking_settings.BASE_TEMPLATE,
        "carried": [(name, value) for name, values in request.POST.lists() if name not in NOT_CARRIED
                    and not name.startswith(REPLACE_PREFIX) for value in values],
        "rows": [_row(index, item, zone, request.POST, rooms) for index, item in enumerate(plan.occurrences)],
        "free_count": len(plan.occurrences) - len(plan.conflicts),
        "on_conflict": request.POST.get("on_conflict") or booking_series.SKIP,
        "deposit": deposit_words(service, form.cleaned_data.get("currency") or None),
        "deposit_payment": request.POST.get("deposit_payment") or BookingSeries.Payment.PER_OCCURRENCE,
    }
    return render(request, "wagtail_booking/series_review.html", context, status=status), None


@require_POST
@rate_limited("write")
def book_series(request, service_id):
    """The review page's POST: book the series as the client chose, or show the review again saying why not."""
    service = get_object_or_404(Service, pk=service_id, active=True, site=site_for_request(request))
    back = request.POST.get("next") or "/"
    provider_ids = _provider_ids(request.POST.get("provider"))
    allowed = allows_currency_choice(service, request.POST.get("currency_choice"))
    form = BookingForm(service, data=request.POST, card_consent=card_consent_for(service),
                       prices=offered_prices(service, allowed))
    if not form.is_valid():
        # Only a tampered page gets here: the picker validated the same fields before the review.
        return render(request, "wagtail_booking/hold_gone.html",
                      {"booking_page": back, "booking_base_template": booking_settings.BASE_TEMPLATE}, status=400)
    try:
        provider, rule = _provider_and_rule(request, service, form, provider_ids)
        on_conflict = request.POST.get("on_conflict")
        if on_conflict not in (booking_series.SKIP, booking_series.ALL_OR_NOTHING):
            raise services.BookingError(_("Choose what to do with the dates that cannot be booked."),
                                        field="on_conflict")
        request_ = booking_series.SeriesRequest(rule, on_conflict, _replacements(request.POST))
        booked = booking_series.book(service, provider, request_, _client(form), by=history.BY_CLIENT,
                                     currency=form.cleaned_data.get("currency") or None,
                                     payment=_deposit_payment(request.POST.get("deposit_payment"), service))
        series_upfront.record_consent(booked)
    except services.BookingError as error:
        response, failed = review(request, service, form, provider_ids, back, status=error.status_code,
                                  message=error.message)
        if response is None:
            response = render(request, "wagtail_booking/hold_gone.html",
                              {"booking_page": back, "message": failed.message,
                               "booking_base_template": booking_settings.BASE_TEMPLATE}, status=failed.status_code)
        return response
    first = booked.bookings.order_by("start").first()
    if first.status == first.Status.HELD:  # the first deposit is paid now, the later ones before each appointment
        return HttpResponseRedirect(get_payment_handoff().checkout_url(first, request))
    return HttpResponseRedirect(reverse("wagtail_booking:booked", args=[first.reference, manage_token(first)]))


def deposit_words(service, currency) -> dict:
    """How a series of a service with a deposit is paid, for the review page ({} when there is no deposit): the
    deposit, paying each before its appointment, and (where the payment integration keeps cards) all now."""
    try:
        quote = price_in(service, currency)
    except NotPricedIn:
        return {}
    if quote.deposit <= 0:
        return {}
    amount = money(with_tax(service, quote.deposit, quote.currency), quote.currency)
    words = {
        "each": _("Each appointment has a deposit of %(amount)s.") % {"amount": amount},
        "per_occurrence": _(
            "Pay each deposit before its appointment: the first now, each later one by %(hours)s hours before its "
            "appointment (we email you the link %(days)s days before; an appointment whose deposit is not paid by "
            "then is released).") % {"hours": booking_settings.SERIES_DEPOSIT_DUE_HOURS,
                                      "days": booking_settings.SERIES_DEPOSIT_LINK_DAYS}}
    if series_upfront.offered(service):
        words["up_front"] = series_upfront.consent_words(amount)
    return words


def series_rows(booking, zone_name):
    """The occurrences of ``booking``'s series for the confirmation and manage pages: (booking, local start,
    manage URL, its state in words or "" when confirmed), in time order; [] for a booking outside a series."""
    if booking.series_id is None:
        return []
    zone = ZoneInfo(zone_name)
    rows = booking.series.bookings.order_by("start").select_related("service", "resource")
    return [(row, row.start.astimezone(zone),
             reverse("wagtail_booking:manage", args=[row.reference, manage_token(row)]),
             "" if row.status == row.Status.CONFIRMED else series_payments.status_words(row, zone_name))
            for row in rows]


def _row(index, item, zone, posted, rooms):
    chosen = posted.get(REPLACE_PREFIX + item.start.isoformat(), "")
    return {"index": index, "item": item, "local": item.start.astimezone(zone), "field": REPLACE_PREFIX +
            item.start.isoformat(), "alternatives": [(slot.start.isoformat(), slot.start.astimezone(zone))
                                                      for slot in item.alternatives], "chosen": chosen,
            "room": rooms.get(item.slot.resource_id) if item.is_free else None}


def _room_names(service, plan) -> dict:
    """The names of the rooms the free dates would take, where the service tells clients which (else none)."""
    if not service.show_resource_to_client:
        return {}
    ids = {item.slot.resource_id for item in plan.occurrences if item.is_free and item.slot.resource_id}
    return dict(Provider.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _provider_and_rule(request, service, form, provider_ids):
    booking_series.check_allowed(service, history.BY_CLIENT)
    start, slot_provider = form.cleaned_data["slot"]
    wanted = provider_ids[0] if provider_ids else slot_provider
    provider = Provider.objects.filter(pk=wanted, site_id=service.site_id, services=service).first() if wanted \
        else None
    provider = booking_series.provider_for(service, start, provider)
    count, until = request.POST.get("repeat_count") or None, _date(request.POST.get("repeat_until"))
    return provider, booking_series.rule_for(service, provider, start, request.POST.get("repeat_every"), count,
                                             until)


def _deposit_payment(raw, service):
    """Up front only when chosen and offered; anything else is paid per appointment."""
    if raw == BookingSeries.Payment.UP_FRONT and series_upfront.offered(service):
        return BookingSeries.Payment.UP_FRONT
    return BookingSeries.Payment.PER_OCCURRENCE


def _date(raw):
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise services.BookingError(_("Give the last date as a date, e.g. 2027-06-30."), field="until") from error


def _replacements(posted) -> dict:
    chosen = {}
    for name, value in posted.items():
        if not name.startswith(REPLACE_PREFIX) or not value:
            continue
        try:
            chosen[datetime.fromisoformat(name[len(REPLACE_PREFIX):])] = datetime.fromisoformat(value)
        except ValueError as error:
            raise services.BookingError(_("Choose one of the times shown."), field="replacements") from error
    return chosen


def _client(form):
    return services.ClientDetails(
        name=form.cleaned_data["name"], email=form.cleaned_data["email"], phone=form.cleaned_data["phone"],
        timezone=form.cleaned_data["timezone"], intake_answers=form.intake_answers(),
        sms_consent=form.cleaned_data.get("sms_consent", False))


def _provider_ids(raw):
    try:
        return [int(raw)] if raw else None
    except ValueError:
        return None
