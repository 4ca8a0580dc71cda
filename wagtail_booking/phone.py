"""Phone numbers: validated with ``phonenumbers`` and stored in E.164."""

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

from .conf import booking_settings


def to_e164(raw: str) -> str:
    """Return ``raw`` in E.164, or raise ``ValueError`` with a sentence a client can act on."""
    region = booking_settings.PHONE_REGION
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        hint = "" if region else " Include the country code, e.g. +1 212 555 0100."
        raise ValueError(f"This is not a phone number.{hint}") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("This phone number is not valid for its country.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumberField(forms.CharField):
    """A form field that cleans to E.164."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return to_e164(value)
        except ValueError as error:
            raise forms.ValidationError(_(str(error)), code="invalid_phone") from error
