"""``POST /booking/api/waitlist``: join a full day's, time's or class's waitlist, as the booking block does."""

from datetime import date, datetime

from ninja import Router, Status
from ninja.errors import HttpError
from pydantic import BaseModel, Field

from ..bookings.intake import check_start
from ..bookings.models import ClassSession
from ..snippets.models import Provider
from ..waitlist import lines
from .auth import ApiKeyBearer, KeyThrottle
from .fields import Id, Language, Text, WindowDate, WindowDateTime, Zone
from .schemas import ErrorOut
from .scope import active_service

router = Router(tags=["waitlist"])


class WaitlistIn(BaseModel):
    service: Id
    provider: Id | None = Field(None, description="Wait only for this provider; empty for anyone who offers it.")
    day: WindowDate | None = Field(None, description="Any time on this day (in the client's time zone).")
    start: WindowDateTime | None = Field(None, description="Exactly this time (with its UTC offset).")
    session: Id | None = Field(None, description="A class session: wait for a seat in it.")
    seats: int = Field(1, ge=1, le=100, description="Seats wanted (classes only).")
    name: Text(200, min_length=1)
    email: Text(254, min_length=3)
    phone: Text(40) = ""
    sms_consent: bool = False
    timezone: Zone
    language: Language | None = None


class WaitlistOut(BaseModel):
    id: int
    status: str
    scope: str = Field(description="day, time or session")
    position: int = Field(description="The entry's place in its line (lower is served first).")
    day: date | None = None
    start: datetime | None = None


@router.post("", response={201: WaitlistOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
             throttle=KeyThrottle("write"), auth=ApiKeyBearer(optional=True))
def join_waitlist(request, payload: WaitlistIn):
    """Join a waitlist: give one of day, start or session. A freed place is offered by email with a claim link."""
    service = active_service(request, payload.service)
    provider = session = None
    if payload.provider is not None:
        provider = Provider.objects.filter(pk=payload.provider, site_id=service.site_id).first()
        if provider is None:
            raise HttpError(404, f"There is no provider {payload.provider}.")
    if payload.session is not None:
        session = ClassSession.objects.filter(pk=payload.session, service=service).first()
        if session is None:
            raise HttpError(404, f"There is no class session {payload.session} of {service.name}.")
    start = check_start(payload.start) if payload.start is not None else None
    waiter = lines.clean_waiter(payload.name, payload.email, payload.timezone, payload.phone, payload.sms_consent,
                                payload.language or "")
    want = lines.Want(service=service, provider=provider, day=payload.day, start=start, session=session,
                      seats=payload.seats)
    entry = lines.join(want, waiter)
    return Status(201, {"id": entry.pk, "status": entry.status, "scope": entry.scope, "position": entry.position,
                        "day": entry.day, "start": entry.start})
