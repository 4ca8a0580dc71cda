"""The public API's recurring series: preview the dates (conflicts with alternatives), then book them.

Mounted by ``views`` under /booking/api/series; the same rules as the booking block (``bookings.series``).
"""

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from django.http import JsonResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from ..bookings import history
from ..bookings import series as booking_series
from ..bookings.intake import check_start, client_details
from ..bookings.models import Booking, BookingSeries
from ..bookings.tokens import manage_token
from ..bookings.writes import NotAllowed
from ..checkout import series_upfront
from ..checkout.handoff import get_payment_handoff
from ..formats import speaking
from ..snippets.models import Provider
from . import scope
from .auth import ApiKeyBearer, KeyThrottle
from .fields import Id, WindowDate, WindowDateTime, Zone
from .schemas import BookingFields, ErrorOut, SlotOut

router = Router(tags=["series"])
READ = KeyThrottle("read")
WRITE = KeyThrottle("write")
# No key needed; with one, the key's business decides (as for holds), whatever host the request is sent to.
OPTIONAL_KEY = ApiKeyBearer(optional=True)
OPTIONAL_KEY_DOC = {"security": [{}, {"ApiKeyBearer": []}]}

Weeks = Annotated[int, Field(ge=1, le=12, description="Repeat every this many weeks (1 = weekly).")]
Count = Annotated[int, Field(ge=2, le=52, description=(
    "How many appointments, the first included; at most the service's longest series."))]


class Rule(Schema):
    every_weeks: Weeks = 1
    count: Count | None = None
    until: WindowDate | None = Field(None, description="The last date a series may fall on (in the provider's "
                                                       "zone), instead of or with count.")


class SeriesPreviewIn(Rule):
    service: Id
    provider: Id | None = None
    start: WindowDateTime = Field(description="The first appointment: one of the service's free starts.")
    timezone: Zone


class Replacement(Schema):
    start: WindowDateTime = Field(description="An occurrence's start as the preview listed it.")
    replacement: WindowDateTime = Field(description="One of that occurrence's alternatives[].start.")


class SeriesIn(BookingFields, Rule):
    on_conflict: Literal["all_or_nothing", "skip"] = Field("all_or_nothing", description=(
        "all_or_nothing: book nothing unless every date is free (or replaced); skip: book the free dates and "
        "leave out the others."))
    replacements: Annotated[list[Replacement], Field(max_length=52)] = Field(default_factory=list)
    deposit_payment: Literal["per_occurrence", "up_front"] = Field("per_occurrence", description=(
        "For a service with a deposit. per_occurrence: the first deposit now, each later one before its "
        "appointment (its link emailed). up_front: the first at checkout_url, the others charged right after it "
        "to the same card, one payment per appointment; show the client the words of the review page's choice "
        "and send it only when they chose it. A business whose payment integration cannot keep cards is refused "
        "(409 naming deposit_payment)."))


class OccurrenceOut(Schema):
    start: datetime
    end: datetime
    available: bool
    reason: str = Field("", description="Why not: closed, busy, not_offered or no_room (the provider is free, no "
                                        "room or equipment of the service's pool is).")
    reason_text: str = ""
    alternatives: list[SlotOut] = Field(default_factory=list, description="Free starts the same day, nearest "
                                                                          "first.")


class PreviewOut(Schema):
    provider: int
    capped: bool = Field(description="The rule asks for more appointments than the service's longest series; "
                                     "the list stops there.")
    occurrences: list[OccurrenceOut]


class SeriesBookingOut(Schema):
    id: str
    status: str
    start: datetime
    end: datetime
    manage_token: str
    expires_at: datetime | None = Field(None, description=(
        "A held appointment keeps its time until then: the first while the client pays its deposit; each later "
        "one, once the first is paid, until its own deposit is due (SERIES_DEPOSIT_DUE_HOURS before it)."))
    checkout_url: str | None = Field(None, description="Where the client pays this appointment's deposit, while "
                                                       "it is held.")
    resource: str | None = Field(None, description="The room or equipment the booking holds, when the service "
                                                   "tells clients which (null otherwise).")


class SeriesOut(Schema):
    id: int
    provider: int
    next_step: str = Field(description="payment (send the client to checkout_url to pay the first appointment's "
                                       "deposit), confirmed or awaiting_approval.")
    checkout_url: str | None = Field(None, description="Where the client pays the first appointment's deposit.")
    bookings: list[SeriesBookingOut]
    skipped: list[datetime] = Field(default_factory=list, description="Dates left out (on_conflict skip).")


class SeriesConflictOut(Schema):
    detail: str
    alternatives: list[SlotOut] = []
    conflicts: list[OccurrenceOut] = []


@router.post("/preview", response={200: PreviewOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             throttle=READ, auth=OPTIONAL_KEY, openapi_extra=OPTIONAL_KEY_DOC)
def preview(request, payload: SeriesPreviewIn):
    """Each date of the series, whether it is free, and for each that is not, the same day's free starts."""
    service, provider, rule = _rule(request, payload)
    plan = booking_series.plan(service, provider, rule)
    zone = ZoneInfo(payload.timezone)
    return {"provider": provider.pk, "capped": plan.capped,
            "occurrences": [occurrence_out(item, zone) for item in plan.occurrences]}


@router.post("", response={201: SeriesOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: SeriesConflictOut},
             throttle=WRITE, auth=OPTIONAL_KEY, openapi_extra=OPTIONAL_KEY_DOC)
def book(request, payload: SeriesIn):
    """Book the series: every date, or (``on_conflict: skip``) the free ones, in one transaction."""
    request.booking_zone = ZoneInfo(payload.timezone)
    service, provider, rule = _rule(request, payload)
    client = client_details(service, payload.name, payload.email, payload.phone, payload.timezone, payload.answers,
                            payload.sms_consent, language=payload.language or "")
    replacements = {check_start(item.start): check_start(item.replacement) for item in payload.replacements}
    if payload.deposit_payment == BookingSeries.Payment.UP_FRONT and not series_upfront.offered(service):
        raise NotAllowed("Paying every deposit up front is not available for this business; pay each before its "
                         "appointment (per_occurrence).", field="deposit_payment")
    booked = booking_series.book(service, provider, booking_series.SeriesRequest(rule, payload.on_conflict,
                                                                                 replacements),
                                 client, by=history.BY_CLIENT, currency=payload.currency,
                                 payment=payload.deposit_payment)
    series_upfront.record_consent(booked)
    zone = request.booking_zone
    rows = list(booked.bookings.order_by("start").select_related("service", "resource"))
    kept = {row.start for row in rows} | set(replacements)
    skipped = [start.astimezone(zone) for start in booking_series.occurrence_starts(rule) if start not in kept]
    bookings = [_booking(request, row, zone) for row in rows]
    first = bookings[0]
    next_step = {"held": "payment", "requested": "awaiting_approval"}.get(first["status"], first["status"])
    return Status(201, {"id": booked.pk, "provider": provider.pk, "skipped": skipped, "bookings": bookings,
                        "next_step": next_step, "checkout_url": first["checkout_url"]})


def on_series_unavailable(request, exc):
    """409 with every conflicting date and its alternatives (the API's SlotUnavailable answer, with more)."""
    zone = getattr(request, "booking_zone", None) or ZoneInfo("UTC")
    body = {"detail": exc.message, "alternatives": [_slot(slot, zone) for slot in exc.alternatives],
            "conflicts": [occurrence_out(item, zone) for item in exc.conflicts]}
    return JsonResponse(body, status=409)


def _rule(request, payload):
    service = scope.active_service(request, payload.service)
    request.booking_zone = ZoneInfo(payload.timezone)
    provider = None
    if payload.provider is not None:
        provider = Provider.objects.filter(pk=payload.provider, site_id=service.site_id).first()
        if provider is None or not scope.offers(service, provider.pk):
            raise HttpError(404, f"Provider {payload.provider} does not offer {service.name}.")
    booking_series.check_allowed(service, history.BY_CLIENT)
    start = check_start(payload.start)
    provider = booking_series.provider_for(service, start, provider)
    return service, provider, booking_series.rule_for(service, provider, start, payload.every_weeks,
                                                      payload.count, payload.until)


def occurrence_out(item, zone) -> dict:
    return {"start": item.start.astimezone(zone).isoformat(), "end": item.end.astimezone(zone).isoformat(),
            "available": item.is_free, "reason": item.reason, "reason_text": item.reason_text,
            "alternatives": [_slot(slot, zone) for slot in item.alternatives]}


def _slot(slot, zone):
    return {"start": slot.start.astimezone(zone).isoformat(), "end": slot.end.astimezone(zone).isoformat(),
            "provider": slot.provider_id}


def _booking(request, row: Booking, zone) -> dict:
    checkout_url = None
    if row.status == Booking.Status.HELD:
        with speaking(row.language):  # the payment page in the client's language
            checkout_url = request.build_absolute_uri(get_payment_handoff().checkout_url(row, request))
    return {"id": row.reference, "status": row.status, "start": row.start.astimezone(zone),
            "end": row.end.astimezone(zone), "manage_token": manage_token(row), "expires_at": row.hold_expires_at,
            "checkout_url": checkout_url,
            "resource": row.resource_for_client.name if row.resource_for_client else None}

