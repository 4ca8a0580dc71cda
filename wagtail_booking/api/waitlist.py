"""``POST /booking/api/waitlist``: join a full day's, time's or class's waitlist, as the booking block does."""

from datetime import date, datetime
from typing import Annotated

from ninja import Router, Status
from ninja.errors import HttpError
from pydantic import AfterValidator, BaseModel, Field, model_validator

from ..bookings.intake import check_start
from ..bookings.models import ClassSession
from ..snippets.models import Provider
from ..waitlist import lines
from .auth import ApiKeyBearer, KeyThrottle
from .fields import NOT_BLANK_ONE_LINE, Id, Language, Text, WindowDate, WindowDateTime, Zone
from .schemas import PHONE_DESCRIPTION, ErrorOut, _email, _phone
from .scope import active_service

router = Router(tags=["waitlist"])


class WaitlistIn(BaseModel):
    service: Id
    provider: Id | None = Field(None, description="Wait only for this provider; empty for anyone who offers it.")
    day: WindowDate | None = Field(None, description="Any time on this day (in the client's time zone).")
    start: WindowDateTime | None = Field(None, description="Exactly this time (with its UTC offset).")
    session: Id | None = Field(None, description="A class session: wait for a seat in it.")
    seats: int = Field(1, ge=1, le=100, description="Seats wanted (classes only).")
    name: Text(200, NOT_BLANK_ONE_LINE, min_length=1, description="The client's name.")
    email: Annotated[Text(254, format="email", description="The client's email address (at most 254 characters)."),
                     AfterValidator(_email)]
    phone: Annotated[Text(40, format="phone", description=PHONE_DESCRIPTION), AfterValidator(_phone)] = ""
    sms_consent: bool = Field(False, description="Text the client too when a place is offered; needs a phone.")
    timezone: Zone
    language: Language | None = None

    # Exactly what is waited for: a day, a time or a class (the first given of session, start, day counts).
    model_config = {"json_schema_extra": {"anyOf": [{"required": ["day"], "properties": {"day": {"type": "string"}}},
                                                    {"required": ["start"],
                                                     "properties": {"start": {"type": "string"}}},
                                                    {"required": ["session"],
                                                     "properties": {"session": {"type": "integer"}}}]}}


    @model_validator(mode="after")
    def _wants_something(self):
        if self.day is None and self.start is None and self.session is None:
            raise ValueError("Give one of day, start or session: what the client waits for.")
        return self


class WaitlistOut(BaseModel):
    id: int
    status: str
    scope: str = Field(description="day, time or session")
    position: int = Field(description="The entry's place in its line (lower is served first).")
    day: date | None = None
    start: datetime | None = None


@router.post("", response={201: WaitlistOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             throttle=KeyThrottle("write"), auth=ApiKeyBearer(optional=True),
             # No key needed; with one, the key's business decides (as for holds).
             openapi_extra={"security": [{}, {"ApiKeyBearer": []}]})
def join_waitlist(request, payload: WaitlistIn):
    """Join a waitlist: give one of day, start or session. A freed place is offered by email with a claim link.

    A want that cannot be waited for now (a day or time past, a class closed, more seats than a booking may take,
    a provider who does not offer the service) answers 409 naming the field."""
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
    try:
        entry = lines.join(want, waiter)
    except lines.WantRefused as refused:
        errors = [{"field": field, "message": message} for field, message in refused.errors]
        return Status(409, {"detail": refused.errors[0][1], "errors": errors})
    return Status(201, {"id": entry.pk, "status": entry.status, "scope": entry.scope, "position": entry.position,
                        "day": entry.day, "start": entry.start})
