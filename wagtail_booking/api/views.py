"""The public JSON API under /booking/api/ (django-ninja)."""

from typing import Annotated
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import BaseModel, Field

from ..bookings import services
from ..bookings.availability import available_slots, local_day_bounds
from ..bookings.intake import (
    InvalidInput,
    check_start,
    client_details,
    is_reference,
)
from ..bookings.models import Booking
from ..bookings.series import SeriesUnavailable
from ..bookings.tokens import check_token, manage_token
from ..checkout import facade
from ..checkout.cards import offered_consent, pending_card, record_consent
from ..checkout.handoff import get_payment_handoff
from ..conf import booking_settings
from ..formats import speaking
from ..site_settings import business_currency
from ..snippets.models import Provider, Service
from ..snippets.prices import currencies_of, price_in
from ..timezones import is_known_zone
from . import integrations, scope, series, waitlist
from .auth import ApiKeyBearer, KeyThrottle
from .fields import Id, WindowDate, Zone
from .schemas import BookingOut, ConflictOut, ErrorOut, HoldIn, RescheduleIn, ServiceOut, SlotsOut, TokenIn

api = NinjaAPI(title="wagtail-booking", version="1", urls_namespace="wagtail_booking:api", docs_url="/docs",
               description="Services, free slots, holds and self-service for appointments.")
READ = KeyThrottle("read")
WRITE = KeyThrottle("write")
# The public endpoints need no key; with one they answer for the key's business, whatever the host.
OPTIONAL_KEY = ApiKeyBearer(optional=True)
OPTIONAL_KEY_DOC = {"security": [{}, {"ApiKeyBearer": []}]}


# Errors: always a status a client can act on, with the field and the reason ----------------------------------


def _errors(request, errors, status=400, detail="The request is not valid."):
    items = [{"field": field, "message": message} for field, message in errors]
    return api.create_response(request, {"detail": detail, "errors": items}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        message = error.get("msg", "Invalid value.").removeprefix("Value error, ")
        errors.append((".".join(location) or None, message))
    return _errors(request, errors)


@api.exception_handler(InvalidInput)
def on_invalid_input(request, exc):
    return _errors(request, exc.errors)


@api.exception_handler(services.SlotUnavailable)
def on_slot_unavailable(request, exc):
    zone = getattr(request, "booking_zone", None) or ZoneInfo(booking_settings.default_timezone)
    body = {"detail": exc.message, "alternatives": [_slot(slot, zone) for slot in exc.alternatives]}
    return api.create_response(request, body, status=409)


@api.exception_handler(services.BookingError)
def on_booking_error(request, exc):
    return _errors(request, [(exc.field, exc.message)], status=exc.status_code, detail=exc.message)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    response = api.create_response(request, {"detail": exc.message, "errors": []}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="wagtail-booking"'
    return response


@api.exception_handler(Throttled)
def on_throttled(request, exc):
    response = api.create_response(request, {"detail": "Too many requests; try again shortly."}, status=429)
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


# Endpoints -----------------------------------------------------------------------------------------------------


@api.get("/services", response={200: list[ServiceOut], 401: ErrorOut}, throttle=READ, tags=["services"],
         auth=OPTIONAL_KEY, openapi_extra=OPTIONAL_KEY_DOC)
def list_services(request):
    """The services clients can book, with their providers and intake questions."""
    site_id = _site_id(request)
    queryset = Service.objects.filter(active=True, site_id=site_id).select_related("intake_form").prefetch_related(
        "intake_form__fields")
    providers = {}
    for service_id, provider_id, name in Provider.services.through.objects.filter(
            provider__active=True, service__active=True, service__site_id=site_id
    ).values_list("service_id", "provider_id", "provider__name"):
        providers.setdefault(service_id, []).append({"id": provider_id, "name": name})
    return [_service(service, providers.get(service.pk, [])) for service in queryset]


class SlotQuery(BaseModel):
    start: WindowDate
    end: Annotated[WindowDate, Field(description="The last day (YYYY-MM-DD), on or after start and at most "
                                                 "MAX_RANGE_DAYS (62 by default) days from it, both included.")]
    tz: Zone
    provider: Id | None = None


@api.get("/services/{service_id}/slots", response={200: SlotsOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
         throttle=READ, tags=["services"], auth=OPTIONAL_KEY, openapi_extra=OPTIONAL_KEY_DOC)
def list_slots(request, service_id: int, query: Query[SlotQuery]):
    """Free starts from ``start`` to ``end`` inclusive (dates in ``tz``), times carrying ``tz``'s offset."""
    if query.end < query.start:
        raise InvalidInput([("end", "end must be on or after start.")])
    if (query.end - query.start).days + 1 > booking_settings.MAX_RANGE_DAYS:
        raise InvalidInput([("end", f"Ask for at most {booking_settings.MAX_RANGE_DAYS} days at a time.")])
    service = _active_service(request, service_id)
    provider_ids = None
    if query.provider is not None:
        provider_ids = [query.provider]
    start, end = local_day_bounds(query.start, query.end, query.tz)
    slots = available_slots(service, start, end, provider_ids)
    if query.provider is not None and not slots and not _offers(service, query.provider):
        raise HttpError(404, f"Provider {query.provider} does not offer this service.")
    zone = ZoneInfo(query.tz)
    # Already-formatted JSON: the shape is SlotsOut (documented above); skipping per-slot re-validation makes a
    # month of slots several times faster to answer.
    return JsonResponse({"timezone": query.tz, "slots": [_slot(slot, zone) for slot in slots]})


# OpenAPI links: what a client (or a schema-driven tester) does next with a hold's reference and token.
_MANAGE = {"parameters": {"reference": "$response.body#/id"},
           "requestBody": {"token": "$response.body#/manage_token"}}
HOLD_LINKS = {"responses": {"201": {"links": {
    "cancel": {"operationId": "wagtail_booking_api_views_cancel_booking", **_MANAGE},
    "reschedule": {"operationId": "wagtail_booking_api_views_reschedule_booking", **_MANAGE}}}}}


@api.post("/holds", response={201: BookingOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ConflictOut},
          throttle=WRITE, tags=["bookings"], auth=OPTIONAL_KEY, openapi_extra={**HOLD_LINKS, **OPTIONAL_KEY_DOC})
def create_hold(request, payload: HoldIn):
    """Hold a slot for a client. The answer says what happens next: confirmed, awaiting approval, or payment."""
    service = _active_service(request, payload.service)
    if is_known_zone(payload.timezone):
        request.booking_zone = ZoneInfo(payload.timezone)
    start = check_start(payload.start)
    provider = None
    if payload.provider is not None:
        provider = Provider.objects.filter(pk=payload.provider, site_id=service.site_id).first()
        if provider is None:
            raise HttpError(404, f"There is no provider {payload.provider}.")
        if not _offers(service, provider.pk):  # as on the slots endpoint: no such provider for this service
            raise HttpError(404, f"{provider.name} does not offer {service.name}.")
    client = client_details(service, payload.name, payload.email, payload.phone, payload.timezone, payload.answers,
                            payload.sms_consent, language=payload.language or "")
    consent = _card_consent(service, payload.card_consent)
    booking = services.create_hold(service, start, client, provider, currency=payload.currency, seats=payload.seats)
    if consent:
        record_consent(booking, consent)
    return Status(201, _booking_out(request, booking))


def _card_consent(service, agreed: bool) -> str:
    """The sentence the client agreed to (the booking form's rule: only where the service offers it)."""
    if not agreed:
        return ""
    sentence = offered_consent(service)
    if not sentence:  # 409, like a currency the service has no price in: well-formed, but not for this service
        raise services.NotAllowed(f"{service.name} does not keep cards on file: its cancellation policy sets no "
                                  "fee (card_consent is empty in the service's details).", field="card_consent")
    return sentence


@api.post("/bookings/{reference}/cancel", response={200: BookingOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                                    404: ErrorOut, 409: ErrorOut}, throttle=WRITE, tags=["bookings"],
          auth=OPTIONAL_KEY, openapi_extra=OPTIONAL_KEY_DOC)
def cancel_booking(request, reference: str, payload: TokenIn):
    """Cancel with the token from the confirmation link, before the service's cut-off."""
    booking = _authorised_booking(request, reference, payload.token)
    with transaction.atomic():
        services.cancel(booking, by="client")  # locks the booking and decides on its status as it is now
        # Still inside the transaction: the refund is quoted for the payment as the cancellation found it.
        paid = facade.paid_payment(booking) is not None
        refund = facade.refund_quote(booking, now=booking.cancelled_at) if paid else None
    body = _booking_out(request, booking, with_token=False)
    body["refund"] = str(refund) if paid else None
    return Status(200, body)


@api.post("/bookings/{reference}/reschedule", response={200: BookingOut, 400: ErrorOut, 401: ErrorOut,
                                                        403: ErrorOut, 404: ErrorOut, 409: ConflictOut},
          throttle=WRITE, tags=["bookings"], auth=OPTIONAL_KEY, openapi_extra=OPTIONAL_KEY_DOC)
def reschedule_booking(request, reference: str, payload: RescheduleIn):
    """Move the booking to another free start (same provider), with the token from the confirmation link."""
    start = check_start(payload.start)
    booking = _authorised_booking(request, reference, payload.token)
    request.booking_zone = ZoneInfo(booking.client_timezone)
    services.reschedule(booking, start, by="client")  # locks the provider, then the booking
    return Status(200, _booking_out(request, booking, with_token=False))


# Helpers -------------------------------------------------------------------------------------------------------


# The business a request is for (its API key's, else its host's) and lookups limited to it: see scope.py.
_site_id, _active_service, _offers = scope.site_id, scope.active_service, scope.offers


def _authorised_booking(request, reference, token) -> Booking:
    if not is_reference(reference):
        raise HttpError(404, f"There is no booking {reference!r}.")
    booking = (Booking.objects.select_related("service", "provider")
               .filter(reference=str(reference).upper(), site_id=_site_id(request)).first())
    if booking is None:
        raise HttpError(404, f"There is no booking {reference}.")
    if not check_token(booking, token):
        raise HttpError(403, "This link is not valid for that booking; use the link from your latest email.")
    return booking


def _slot(slot, zone):
    out = {"start": slot.start.astimezone(zone).isoformat(), "end": slot.end.astimezone(zone).isoformat(),
           "provider": slot.provider_id}
    if slot.seats_left is not None:  # a class: "3 of 12 seats left"
        out.update(seats_left=slot.seats_left, capacity=slot.capacity)
    return out


def _booking_out(request, booking, with_token=True):
    zone = ZoneInfo(booking.client_timezone)
    next_step = {"held": "payment", "requested": "awaiting_approval"}.get(booking.status, booking.status)
    checkout_url = None
    if booking.status == Booking.Status.HELD:
        with speaking(booking.language):  # the payment page in the client's language: /es/booking/pay/...
            checkout_url = request.build_absolute_uri(get_payment_handoff().checkout_url(booking, request))
    card_setup_url = None
    if booking.status != Booking.Status.HELD and with_token and pending_card(booking) is not None:
        with speaking(booking.language):
            card_setup_url = request.build_absolute_uri(get_payment_handoff().card_setup_url(booking, request))
    return {"id": booking.reference, "status": booking.status, "next_step": next_step,
            "checkout_url": checkout_url, "card_setup_url": card_setup_url, "expires_at": booking.hold_expires_at,
            "start": booking.start.astimezone(zone).isoformat(), "end": booking.end.astimezone(zone).isoformat(),
            "provider": booking.provider_id, "seats": booking.seats,
            "manage_token": manage_token(booking) if with_token else None,
            "language": booking.language, "video_link": booking.video_link or None,
            "resource": booking.resource_for_client.name if booking.resource_for_client else None}


def _service(service, providers):
    fields = []
    if service.intake_form_id:
        for field in service.intake_form.fields.all():
            choices = [c.strip() for c in field.choices.replace("\n", ",").split(",") if c.strip()]
            fields.append({"name": field.clean_name, "label": field.label, "type": field.field_type,
                           "required": field.required, "choices": choices, "help_text": field.help_text})
    return {"id": service.pk, "name": service.name, "description": service.description,
            "duration_minutes": service.duration_minutes, "price": str(service.price),
            "deposit_due": str(service.deposit_due), "currency": business_currency(service.site),
            "prices": [{"currency": quote.currency, "price": str(quote.price), "deposit_due": str(quote.deposit)}
                       for quote in (price_in(service, code) for code in currencies_of(service))],
            "booking_mode": service.booking_mode, "capacity": service.capacity,
            "max_seats_per_booking": service.max_seats_per_booking if service.is_class else 1,
            "providers": providers, "intake_fields": fields,
            "intake_form_version": service.intake_form.version if service.intake_form_id else None,
            "card_consent": offered_consent(service)}


api.add_router("/integrations", integrations.router)
api.add_router("/series", series.router)
api.add_exception_handler(SeriesUnavailable, series.on_series_unavailable)
api.add_router("/waitlist", waitlist.router)


def manage_path(booking):
    return reverse("wagtail_booking:manage", args=[booking.reference, manage_token(booking)])
