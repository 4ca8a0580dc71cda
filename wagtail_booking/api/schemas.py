"""Request and response shapes of the public API (they make up its OpenAPI schema)."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import field_validator


class ErrorItem(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class SlotOut(Schema):
    start: datetime
    end: datetime
    provider: int


class SlotsOut(Schema):
    timezone: str
    slots: list[SlotOut]


class ConflictOut(Schema):
    detail: str
    alternatives: list[SlotOut] = []


class ProviderOut(Schema):
    id: int
    name: str


class IntakeFieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    choices: list[str] = []
    help_text: str = ""


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    duration_minutes: int
    price: str
    deposit_due: str
    currency: str
    booking_mode: str
    providers: list[ProviderOut]
    intake_fields: list[IntakeFieldOut]
    intake_form_version: int | None


def _no_nul(value):
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    return value


class HoldIn(Schema):
    service: int
    provider: int | None = None
    start: datetime = Field(description="ISO 8601 with a UTC offset, as returned by the slots endpoint.")
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=254)
    phone: str = Field("", max_length=40)
    timezone: str = Field(description="The client's IANA time zone, e.g. Europe/Paris.")
    answers: dict = Field(default_factory=dict, description="Intake answers keyed by field name.")
    sms_consent: bool = Field(False, description="The client agrees to text messages about this booking.")

    _text = field_validator("name", "email", "phone", "timezone")(_no_nul)


class BookingOut(Schema):
    id: str = Field(description="The booking reference.")
    status: str
    next_step: str = Field(description="confirmed, awaiting_approval or payment")
    checkout_url: str | None = None
    expires_at: datetime | None = Field(None, description="When an unpaid hold stops reserving the slot.")
    start: datetime
    end: datetime
    provider: int
    manage_token: str | None = Field(None, description="Authorises cancel and reschedule; keep it secret.")
    refund: str | None = Field(None, description="On cancellation: the amount going back to the client's card.")


class TokenIn(Schema):
    token: str


class RescheduleIn(Schema):
    token: str
    start: datetime
