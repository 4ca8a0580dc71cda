"""Endpoints for integrators (a phone assistant, a CRM): an API key acts for its business.

Each operation needs a key holding one scope: ``read`` (list and look up bookings), ``book`` (book for a client)
or ``manage`` (cancel as the business). The key's business decides what is visible; another business's bookings
and services answer 404, whatever the host the request is sent to.
"""

from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.db import transaction
from ninja import Query, Router, Status
from ninja.errors import HttpError
from pydantic import BaseModel, Field

from ..bookings import services
from ..bookings.intake import InvalidInput, check_start, client_details, is_reference
from ..bookings.models import Booking
from ..checkout import facade
from ..notifications import payment_links
from ..notifications.tasks import queue_payment_link
from ..snippets.models import Provider
from ..timezones import is_known_zone
from .auth import ApiKeyBearer, KeyThrottle
from .fields import Text, WindowDateTime
from .schemas import BookingPageOut, ConflictOut, ErrorOut, IntegrationBookingIn, IntegrationBookingOut
from .scope import active_service, offers

router = Router(tags=["integrations"])
READ, WRITE = KeyThrottle("read"), KeyThrottle("write")
# What every integration operation may answer before it runs: no or a bad key, a missing scope, too many requests.
KEY_ERRORS = {401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


class BookingFilter(BaseModel):
    status: Literal[tuple(Booking.Status.values)] | None = None  # type: ignore[valid-type]
    start_from: WindowDateTime | None = Field(None, description="Bookings starting at or after this time.")
    start_to: WindowDateTime | None = Field(None, description="Bookings starting before this time.")
    client_email: Text(254, description="The client's email address (exact, any case).") | None = None
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/bookings", response={200: BookingPageOut, 400: ErrorOut, **KEY_ERRORS}, auth=ApiKeyBearer("read"),
            throttle=READ, operation_id="listBookings")
def list_bookings(request, query: Query[BookingFilter]):
    """The business's bookings by start time, filtered and a page at a time (scope: read)."""
    bookings = Booking.objects.filter(site_id=request.api_key.site_id)
    if query.status:
        bookings = bookings.filter(status=query.status)
    if query.start_from:
        bookings = bookings.filter(start__gte=check_start(query.start_from, "start_from"))
    if query.start_to:
        bookings = bookings.filter(start__lt=check_start(query.start_to, "start_to"))
    if query.client_email:
        bookings = bookings.filter(client_email__iexact=query.client_email.strip())
    page = bookings.select_related("service", "provider").order_by("start", "pk")[
        query.offset:query.offset + query.limit]
    return {"count": bookings.count(), "limit": query.limit, "offset": query.offset,
            "items": [booking_out(booking) for booking in page]}


@router.get("/bookings/{reference}", response={200: IntegrationBookingOut, **KEY_ERRORS, 404: ErrorOut},
            auth=ApiKeyBearer("read"), throttle=READ, operation_id="getBooking")
def get_booking(request, reference: str):
    """One booking by its reference: poll it to see a held booking become confirmed once paid (scope: read)."""
    return booking_out(_booking(request, reference))


@router.post("/bookings", response={201: IntegrationBookingOut, 400: ErrorOut, **KEY_ERRORS, 404: ErrorOut,
                                    409: ConflictOut}, auth=ApiKeyBearer("book"), throttle=WRITE,
             operation_id="createBooking")
def create_booking(request, payload: IntegrationBookingIn):
    """Book a slot for a client (scope: book).

    A free service is confirmed at once (or awaits approval if the service asks for it). A paid one is held for
    ``hold_minutes`` with a ``payment_url`` the client pays at; ``send_payment_link`` sends it to them. Once paid,
    the booking becomes confirmed (poll ``getBooking``).
    """
    service = active_service(request, payload.service)
    if is_known_zone(payload.timezone):
        request.booking_zone = ZoneInfo(payload.timezone)  # alternatives on a 409 are shown in the client's zone
    start = check_start(payload.start)
    provider = _provider(service, payload.provider)
    client = client_details(service, payload.name, payload.email, payload.phone, payload.timezone, payload.answers,
                            payload.sms_consent, language=payload.language or "")
    channel = payload.send_payment_link if service.deposit_due > 0 else None
    if channel == "sms":
        problem = payment_links.sms_problem(service.site, client.phone, client.sms_consent)
        if problem:
            raise InvalidInput([("send_payment_link", problem)])
    hold_for = timedelta(minutes=payload.hold_minutes) if payload.hold_minutes else None
    with transaction.atomic():  # the hold and its payment link commit together
        booking = services.create_hold(service, start, client, provider, hold_for=hold_for, seats=payload.seats)
        if channel and booking.status == Booking.Status.HELD:
            queue_payment_link(booking, channel)
    return Status(201, {**booking_out(booking), "payment_link_sent": channel})


@router.post("/bookings/{reference}/cancel", response={200: IntegrationBookingOut, **KEY_ERRORS, 404: ErrorOut,
                                                       409: ErrorOut}, auth=ApiKeyBearer("manage"), throttle=WRITE,
             operation_id="cancelBookingAsBusiness")
def cancel_booking(request, reference: str):
    """Cancel as the business, at any time (scope: manage): the client is told, and a paid deposit goes back in
    full, as when staff cancel in the admin. A hold still waiting for payment is simply released."""
    booking = _booking(request, reference)
    with transaction.atomic():
        services.cancel(booking, by="staff")  # locks the booking and decides on its status as it is now
        paid = facade.paid_payment(booking) is not None
        refund = facade.refund_quote(booking, by="staff", now=booking.cancelled_at) if paid else None
    return {**booking_out(booking), "refund": str(refund) if paid else None}


# Helpers -------------------------------------------------------------------------------------------------------


def _booking(request, reference) -> Booking:
    booking = None
    if is_reference(reference):
        booking = (Booking.objects.select_related("service", "provider", "site")
                   .filter(reference=reference.upper(), site_id=request.api_key.site_id).first())
    if booking is None:
        raise HttpError(404, f"There is no booking {reference[:20]!r} in this business.")
    return booking


def _provider(service, provider_id) -> Provider | None:
    if provider_id is None:
        return None
    provider = Provider.objects.filter(pk=provider_id, site_id=service.site_id).first()
    if provider is None:
        raise HttpError(404, f"There is no provider {provider_id}.")
    if not offers(service, provider.pk):
        raise HttpError(404, f"{provider.name} does not offer {service.name}.")
    return provider


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat()


def booking_out(booking: Booking) -> dict:
    zone = ZoneInfo(booking.client_timezone)
    held = booking.status == Booking.Status.HELD
    # A hold past its time no longer keeps the slot, although its row says "held" until the next write finds it.
    status = Booking.Status.EXPIRED if held and not booking.is_live else booking.status
    held = status == Booking.Status.HELD
    next_step = {"held": "payment", "requested": "awaiting_approval"}.get(status, status)
    return {"reference": booking.reference, "status": status, "next_step": next_step,
            "service": booking.service_id, "service_name": booking.service.name, "provider": booking.provider_id,
            "provider_name": booking.provider.name, "start": _local(booking.start, zone),
            "end": _local(booking.end, zone), "client_name": booking.client_name,
            "client_email": booking.client_email, "client_phone": booking.client_phone,
            "client_timezone": booking.client_timezone, "price": str(booking.price),
            "deposit_due": str(booking.deposit_due), "currency": booking.currency, "seats": booking.seats,
            "price_with_tax": str(booking.price_with_tax), "deposit_with_tax": str(booking.deposit_with_tax),
            "payment_url": payment_links.payment_url(booking) if held else None,
            "expires_at": booking.hold_expires_at if held else None, "created_at": booking.created_at,
            "language": booking.language, "video_link": booking.video_link or None}
