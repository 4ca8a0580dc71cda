"""Server-rendered booking pages: they work without JavaScript and share the API's rules."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..bookings import services
from ..bookings.availability import available_slots, local_day_bounds
from ..bookings.links import booking_for_link
from ..bookings.models import Booking
from ..bookings.tokens import manage_token
from ..businesses import site_for_request
from ..checkout import facade
from ..checkout.cards import record_consent
from ..checkout.handoff import get_payment_handoff
from ..conf import booking_settings
from ..packages import credits
from ..site_settings import business_currency
from ..snippets.models import Provider, Service
from ..throttling import rate_limited
from . import series
from .calendar import calendar_links, ics_response
from .forms import BookingForm, allows_currency_choice, card_consent_for
from .picker import offered_prices, picker_context, slot_value

RESCHEDULE_DAYS = 30


@require_POST
@rate_limited("write")
def book(request, service_id):
    service = get_object_or_404(Service, pk=service_id, active=True, site=site_for_request(request))
    return book_service(request, service)


def book_service(request, service, embed=None):
    """Hold or book the posted time. ``embed`` (from ``embed.embed_book``): extra context for the framed pages,
    whose confirmation is the framed one too."""
    provider_ids = _provider_ids(request.POST.get("provider"))
    back = _safe_next(request)
    allowed = allows_currency_choice(service, request.POST.get("currency_choice"))
    form = BookingForm(service, data=request.POST, card_consent=card_consent_for(service),
                       prices=offered_prices(service, allowed))
    refused = _refused_currency(service, request.POST.get("currency"), allowed)
    if refused:
        form.add_error(None, refused)
    if not form.is_valid():
        return _render_form(request, service, provider_ids, form, back, status=400, embed=embed)
    if embed is None and series.wants_series(request):  # the review of every date comes first (blocks/series.py)
        response, refused = series.review(request, service, form, provider_ids, back)
        return response or _render_form(request, service, provider_ids, form, back, status=refused.status_code,
                                        message=refused.message)
    start, slot_provider = form.cleaned_data["slot"]
    client = services.ClientDetails(
        name=form.cleaned_data["name"], email=form.cleaned_data["email"], phone=form.cleaned_data["phone"],
        timezone=form.cleaned_data["timezone"], intake_answers=form.intake_answers(),
        sms_consent=form.cleaned_data.get("sms_consent", False))
    provider = _choose_provider(service, provider_ids, slot_provider)
    try:
        booking = services.create_hold(service, start, client, provider,
                                       currency=form.cleaned_data.get("currency") or None,
                                       seats=form.cleaned_data.get("seats") or 1)
    except services.SlotUnavailable as error:
        return _render_form(request, service, provider_ids, form, back, status=409, message=error.message,
                            alternatives=error.alternatives, embed=embed)
    except services.BookingError as error:
        return _render_form(request, service, provider_ids, form, back, status=error.status_code,
                            message=error.message, embed=embed)
    if form.cleaned_data.get("card_consent"):
        record_consent(booking, form.card_consent_text)
    if embed is not None:  # the framed confirmation, or its "continue to payment" (in a new tab)
        return HttpResponseRedirect(reverse("wagtail_booking:embed-booked",
                                            args=[booking.reference, manage_token(booking)]))
    if booking.status == Booking.Status.HELD:
        return HttpResponseRedirect(get_payment_handoff().checkout_url(booking, request))
    if form.cleaned_data.get("card_consent"):  # no deposit to save the card with: a card-saving step
        return HttpResponseRedirect(get_payment_handoff().card_setup_url(booking, request))
    return HttpResponseRedirect(reverse("wagtail_booking:booked", args=[booking.reference, manage_token(booking)]))


def booked(request, reference, token, base_template=None, card_setup_url=None):
    """The confirmation; ``card_setup_url``: the card-saving step still to take (the framed form's)."""
    booking = booking_for_token(request, reference, token)
    context = booking_context(booking, token)
    context["base_template"] = base_template
    context["card_setup_url"] = card_setup_url
    context["payment"] = facade.paid_payment(booking)
    context["credit"] = credits.paid_with(booking)
    context["series_rows"] = series.series_rows(booking, booking.client_timezone)
    if booking.status in (Booking.Status.CONFIRMED, Booking.Status.REQUESTED):
        context["calendar"] = calendar_links(booking, token, request)
    return render(request, "wagtail_booking/booked.html", context)


def booking_ics(request, reference, token):
    """The booking as an .ics file, behind the same signed token as its other links."""
    return ics_response(booking_for_token(request, reference, token))


booking_for_token = booking_for_link  # the booking a link names (bookings.links)


def booking_context(booking, token):
    zone = ZoneInfo(booking.client_timezone)
    return {"booking": booking, "local_start": booking.start.astimezone(zone),
            "local_end": booking.end.astimezone(zone), "zone_name": booking.client_timezone,
            "manage_url": reverse("wagtail_booking:manage", args=[booking.reference, token]),
            "booking_base_template": booking_settings.BASE_TEMPLATE}


def reschedule_times(request, booking):
    zone = ZoneInfo(booking.client_timezone)
    today = timezone.now().astimezone(zone).date()
    start, end = local_day_bounds(today, today + timedelta(days=RESCHEDULE_DAYS), booking.client_timezone)
    slots = available_slots(booking.service, start, end, [booking.provider_id], exclude_booking=booking,
                            seats=booking.seats)
    return [(slot_value(slot), slot.start.astimezone(zone)) for slot in slots if slot.start != booking.start]


def _render_form(request, service, provider_ids, form, back, status, message=None, alternatives=None, embed=None):
    params = {"booking_tz": request.POST.get("timezone", ""), "booking_service": service.pk}
    context = picker_context(request, service, provider_ids, params, form=form, alternatives=alternatives)
    context.update({"message": message, "alternatives": alternatives, "back": back,
                    "booking_base_template": booking_settings.BASE_TEMPLATE,
                    "heading": service.name, "selected_slot": request.POST.get("slot", "")})
    context.update(embed or {})
    return render(request, context.get("template", "wagtail_booking/book.html"), context, status=status)


def _refused_currency(service, posted, allowed):
    """The message for a currency posted to a form that offers no choice (another than the business's), or None."""
    own = business_currency(service.site)
    if allowed or not posted or posted.strip().upper() == own:
        return None
    return _("This page books in %(currency)s only.") % {"currency": own}


def _provider_ids(raw):
    try:
        return [int(raw)] if raw else None
    except ValueError:
        return None


def _choose_provider(service, provider_ids, slot_provider):
    """A block fixed to one provider books them; otherwise whoever is free at the chosen time."""
    if not provider_ids:
        return None
    return Provider.objects.filter(pk=provider_ids[0], site_id=service.site_id).first()


def _safe_next(request):
    candidate = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return "/"
