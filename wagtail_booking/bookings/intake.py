"""Validates what a client sends with a booking, for the API and the booking block alike."""

import re
from datetime import UTC, date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ..phone import to_e164
from ..snippets.intake import serialise_answers
from ..timezones import is_known_zone
from .writes import ClientDetails


class InvalidInput(Exception):
    """Field errors: a list of ``(field, message)``."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


# Times further than this from today are input mistakes, and would overflow date arithmetic near year 1 or 9999.
YEARS_EITHER_SIDE = 5
# Real zones run from -12:00 to +14:00. Python accepts offsets up to 24 hours, PostgreSQL only below 16.
MAX_OFFSET = timedelta(hours=14)
REFERENCE = re.compile(r"^[2-9A-HJ-NP-Z]{8}$")


def check_date_range(day, field):
    today, span = date.today(), timedelta(days=365 * YEARS_EITHER_SIDE)
    if not (today - span <= day <= today + span):
        raise InvalidInput([(field, f"Give a date within {YEARS_EITHER_SIDE} years of today.")])
    return day


def check_start(moment, field="start"):
    """An aware time the database can store, returned in UTC (any offset a client sends is only notation)."""
    offset = moment.utcoffset()
    if offset is None:
        raise InvalidInput([(field, "Give the start with its UTC offset, e.g. 2027-03-01T09:00:00-05:00.")])
    if abs(offset) > MAX_OFFSET:
        raise InvalidInput([(field, "A UTC offset runs from -14:00 to +14:00.")])
    check_date_range(moment.date(), field)
    return moment.astimezone(UTC)


def is_reference(value) -> bool:
    return isinstance(value, str) and bool(REFERENCE.match(value.upper()))


def check_timezone(name, field="timezone"):
    if not is_known_zone(name):
        raise InvalidInput([(field, f"{name!r} is not a known IANA time zone (for example Europe/Paris).")])
    return name


def client_details(service, name, email, phone, timezone, answers, sms_consent=False, language="") -> ClientDetails:
    """Clean the client's details and intake answers, or raise :class:`InvalidInput` listing every problem."""
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(("name", "Please give your name."))
    try:
        validate_email(email)
    except ValidationError:
        errors.append(("email", "Enter a valid email address."))
    if phone:
        try:
            phone = to_e164(phone)
        except ValueError as error:
            errors.append(("phone", str(error)))
    try:
        check_timezone(timezone)
    except InvalidInput as error:
        errors.extend(error.errors)
    intake = []
    if service.intake_form_id:
        if not isinstance(answers, dict):
            errors.append(("answers", "Answers must be an object keyed by field name."))
        else:
            form = service.intake_form.get_form_class()(data=answers)
            if form.is_valid():
                intake = serialise_answers(service.intake_form, form.cleaned_data)
            else:
                errors.extend((f"answers.{field}", " ".join(messages)) for field, messages in form.errors.items())
    if sms_consent and not phone:
        errors.append(("phone", "Give a mobile number to receive text messages."))
    if errors:
        raise InvalidInput(errors)
    return ClientDetails(name=name, email=email, phone=phone or "", timezone=timezone, intake_answers=intake,
                         sms_consent=bool(sms_consent), language=language)
