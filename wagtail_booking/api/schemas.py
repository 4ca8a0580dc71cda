"""Request and response shapes of the public API (they make up its OpenAPI schema)."""

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import AfterValidator

from ..phone import to_e164
from .fields import NO_NUL, NOT_BLANK_ONE_LINE, Id, Language, Text, WindowDateTime, Zone


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
    seats_left: int | None = Field(None, description="For a class: the seats still free at this start (of "
                                                     "capacity); null for a one-to-one service.")
    capacity: int | None = Field(None, description="For a class: the seats its session has; null otherwise.")


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


class PriceOut(Schema):
    currency: str
    price: str
    deposit_due: str


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    duration_minutes: int
    price: str
    deposit_due: str
    currency: str
    prices: list[PriceOut] = Field(default_factory=list, description="The price and deposit in each currency the "
                                                                     "service can be booked in, its business's first.")
    booking_mode: str
    capacity: int = Field(1, description="Seats per session: more than 1 makes the service a class that clients "
                                         "book seats in.")
    max_seats_per_booking: int = Field(1, description="The most seats one booking may take (seats in a hold).")
    providers: list[ProviderOut]
    intake_fields: list[IntakeFieldOut]
    intake_form_version: int | None
    card_consent: str = Field("", description=(
        "When the service's cancellation policy sets a fee: the sentence the client agrees to (naming each fee and "
        "its amount) to keep their card on file, to show with an unticked box; \"\" when not offered."))


def _email(value):
    try:
        validate_email(value)
    except DjangoValidationError as error:
        raise ValueError("Enter a valid email address.") from error
    return value


def _phone(value):
    return to_e164(value) if value else value  # its ValueError says what is wrong with the number


PHONE_DESCRIPTION = ("A mobile or landline number valid for its country: E.164 (+12125550123) or, if the site sets a "
                     "PHONE_REGION, the national format. Optional; needed with sms_consent.")
# What an intake answer can be: text, a yes/no, a number, or the chosen options of a checkboxes question.
Answer = (Text(5000, NO_NUL) | bool | Annotated[int, Field(ge=-(10**15), le=10**15)]
          | Annotated[float, Field(allow_inf_nan=False)] | Annotated[list[Text(255, NO_NUL)], Field(max_length=100)])


class BookingFields(Schema):
    """What every booking request says about the client and the time (the public hold, an integration's booking)."""

    service: Id
    provider: Id | None = None
    start: WindowDateTime
    name: Text(200, NOT_BLANK_ONE_LINE, min_length=1, description="The client's name.")
    email: Annotated[Text(254, format="email", description="The client's email address (at most 254 characters)."),
                     AfterValidator(_email)]
    phone: Annotated[Text(40, format="phone", description=PHONE_DESCRIPTION), AfterValidator(_phone)] = ""
    timezone: Zone
    answers: Annotated[dict[Annotated[str, Field(max_length=255)], Answer], Field(max_length=100)] = Field(
        default_factory=dict, description="Intake answers keyed by the service's intake_fields[].name.")
    sms_consent: bool = Field(False, description="The client agrees to text messages about this booking; "
                                                 "requires a phone number.")
    language: Language | None = None
    currency: Annotated[str, Field(pattern="^[A-Za-z]{3}$", description=(
        "ISO 4217 code of the currency to book in: one of the service's prices[].currency. By default, the "
        "business's currency. Amounts are never converted: a currency the service has no price in is refused."))] \
        | None = None

    model_config = {"json_schema_extra": {
        # sms_consent needs a phone: either no consent, or a non-empty phone.
        "anyOf": [{"properties": {"sms_consent": {"const": False}}},
                  {"required": ["phone"], "properties": {"phone": {"minLength": 1}}}]}}


SEATS_DESCRIPTION = ("For a class: how many seats to book, at most the service's max_seats_per_booking (more is "
                     "refused with a 409 naming seats). The price and the deposit are per seat. A one-to-one "
                     "service takes 1.")


class HoldIn(BookingFields):
    seats: int = Field(1, ge=1, le=1000, description=SEATS_DESCRIPTION)
    card_consent: bool = Field(False, description=(
        "The client ticked the box agreeing to keep their card on file: show the service's card_consent sentence "
        "next to an unticked box and send true only when the client ticked it. Only for a service that offers "
        "it (card_consent not empty); true for another is refused (409 naming card_consent). The card is saved "
        "with the deposit, or, with nothing to pay, at the answer's card_setup_url."))


class BookingOut(Schema):
    id: str = Field(description="The booking reference.")
    status: str
    next_step: str = Field(description="confirmed, awaiting_approval or payment")
    checkout_url: str | None = None
    expires_at: datetime | None = Field(None, description="When an unpaid hold stops reserving the slot.")
    start: datetime
    end: datetime
    provider: int
    seats: int = Field(1, description="The seats this booking takes (more than 1 only in a class).")
    manage_token: str | None = Field(None, description="Authorises cancel and reschedule; keep it secret.")
    card_setup_url: str | None = Field(None, description=(
        "The client agreed to keep a card on file and there is no deposit to save it with: the page where they "
        "add it (open it in the client's browser, in a top-level window)."))
    refund: str | None = Field(None, description="On cancellation: the amount going back to the client's card.")
    language: str | None = Field(None, description="The language the client's emails and texts are written in.")
    video_link: str | None = Field(None, description="For an online service: the link the client joins by (null "
                                                     "while the provider's calendar is still making it).")
    resource: str | None = Field(None, description="The room or equipment the booking holds (for a seat in a "
                                                   "class, its session's), when the service tells clients which "
                                                   "(null otherwise).")


Token = Text(500, min_length=1, description="The manage token from the hold's answer or the client's email link.")


class TokenIn(Schema):
    token: Token


class RescheduleIn(Schema):
    token: Token
    start: WindowDateTime


# Integrations (an API key acting for its business) -------------------------------------------------------------


MAX_HOLD_MINUTES = 30  # a key cannot keep a slot from other clients for longer


class IntegrationBookingIn(BookingFields):
    seats: int = Field(1, ge=1, le=1000, description=SEATS_DESCRIPTION)
    hold_minutes: int | None = Field(None, ge=1, le=MAX_HOLD_MINUTES, description=(
        f"For a paid service: how long the hold keeps the slot while the client pays, 1 to {MAX_HOLD_MINUTES} "
        "minutes. Default: the site's HOLD_MINUTES setting (15 unless changed)."))
    send_payment_link: Literal["sms", "email"] | None = Field(None, description=(
        "For a paid service: also send the payment link to the client, by text (needs phone and sms_consent, and "
        "text messages switched on for the business) or by email."))


class IntegrationBookingOut(Schema):
    reference: str
    status: str = Field(description="held (waiting for payment), requested, confirmed, cancelled, declined, "
                                    "expired, completed or no_show")
    next_step: str = Field(description="payment, awaiting_approval, confirmed, or the final status")
    service: int
    service_name: str
    provider: int
    provider_name: str
    start: datetime = Field(description="In the client's time zone.")
    end: datetime
    client_name: str
    client_email: str
    client_phone: str
    client_timezone: str
    price: str
    deposit_due: str
    price_with_tax: str = Field(description="What the client pays in all: price, plus tax where the business adds "
                                            "it on top of its prices (else the same as price).")
    deposit_with_tax: str = Field(description="What the payment link charges: deposit_due, plus tax where the "
                                              "business adds it on top.")
    currency: str
    seats: int = Field(1, description="The seats this booking takes (more than 1 only in a class); price and "
                                      "deposit_due are for all of them.")
    payment_url: str | None = Field(None, description="While held: where the client pays to confirm (send it "
                                                      "to them; it carries their booking's secret token).")
    expires_at: datetime | None = Field(None, description="While held: when the hold stops keeping the slot.")
    payment_link_sent: str | None = Field(None, description="sms or email when the link was sent on creation.")
    refund: str | None = Field(None, description="On cancellation: the amount going back to the client's card.")
    language: str = Field("", description="The language the client's emails and texts are written in.")
    video_link: str | None = Field(None, description="For an online service: the link the client joins by (null "
                                                     "while the provider's calendar is still making it).")
    created_at: datetime


class BookingPageOut(Schema):
    count: int = Field(description="Bookings matching the filters, on all pages.")
    limit: int
    offset: int
    items: list[IntegrationBookingOut]
