"""The client's booking form: chosen time, contact details and the service's intake questions."""

from datetime import datetime

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..bookings.intake import InvalidInput, check_start, check_timezone
from ..checkout.cards import offered_consent
from ..formats import money
from ..phone import PhoneNumberField
from ..snippets.intake import serialise_answers
from ..snippets.prices import with_tax

INTAKE_PREFIX = "intake_"
CURRENCY_SALT = "wagtail_booking.currency-choice"


def currency_choice_token(service) -> str:
    """What a block that lets the client choose the currency puts in its form: the booking view honours a posted
    currency only with it (the POST goes to a URL any page can reach, so the editor's choice travels signed)."""
    return signing.dumps(service.pk, salt=CURRENCY_SALT)


def allows_currency_choice(service, token) -> bool:
    try:
        return signing.loads(token or "", salt=CURRENCY_SALT) == service.pk
    except signing.BadSignature:
        return False


def parse_slot(raw):
    """``"<ISO start>|<provider id>"`` (the value of a time's radio button) -> ``(aware start, provider id)``."""
    start_text, _sep, provider_text = (raw or "").partition("|")
    try:
        start = datetime.fromisoformat(start_text)
        provider_id = int(provider_text) if provider_text else None
    except ValueError as error:
        raise forms.ValidationError(_("Choose one of the times shown.")) from error
    try:
        start = check_start(start, "slot")
    except InvalidInput as error:
        raise forms.ValidationError(_("Choose one of the times shown. %(reason)s")
                                    % {"reason": error.errors[0][1]}) from error
    return start, provider_id


# The box's sentence, the same one the API offers (``checkout.cards.offered_consent``).
card_consent_for = offered_consent


class BookingForm(forms.Form):
    slot = forms.CharField(label=_("Time"), error_messages={"required": _("Choose a time.")})
    timezone = forms.CharField(widget=forms.HiddenInput)
    # max_length as on the Booking columns: a longer value must be a form error, not a database error.
    name = forms.CharField(label=_("Your name"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = PhoneNumberField(label=_("Phone (optional)"), required=False)
    sms_consent = forms.BooleanField(
        label=_("Text me about this booking (reminders, changes). Reply STOP to opt out."), required=False)

    def __init__(self, service, *args, card_consent="", prices=(), **kwargs):
        """``prices`` (``snippets.prices.PriceIn``, the business's first): the client chooses among them when
        there are several (the block's editor allowed it)."""
        super().__init__(*args, **kwargs)
        self.service = service
        # The policy sets a fee and cards can be kept: an unticked box whose words name each fee and its amount.
        self.card_consent_text = card_consent
        if card_consent:
            self.fields["card_consent"] = forms.BooleanField(label=card_consent, required=False)
        # A free service costs nothing in any currency: a choice would only list "price 0.00" several times.
        if len(prices) > 1 and any(quote.price or quote.deposit for quote in prices):
            self.fields["currency"] = forms.ChoiceField(
                label=_("Currency"), initial=prices[0].currency,
                choices=[(quote.currency, price_label(quote, service)) for quote in prices],
                help_text=_("The deposit and the price are in the currency you choose; nothing is converted."))
            self.fields["currency_choice"] = forms.CharField(widget=forms.HiddenInput, required=False,
                                                             initial=currency_choice_token(service))
        if service.is_class and service.max_seats_per_booking > 1:
            self.fields["seats"] = forms.TypedChoiceField(
                label=_("Seats"), coerce=int, initial=1,
                choices=[(n, seats_label(n)) for n in range(1, service.max_seats_per_booking + 1)],
                help_text=_("The price and the deposit are per seat.") if service.price else "")
        self.intake_form = service.intake_form if service.intake_form_id else None
        if self.intake_form:
            for name, field in self.intake_form.get_form_class()().fields.items():
                self.fields[INTAKE_PREFIX + name] = field

    def intake_fields(self):
        return [self[name] for name in self.fields if name.startswith(INTAKE_PREFIX)]

    def currency_fields(self):
        """The currency to book in, when the client may choose it (else an empty list)."""
        return [self["currency"]] if "currency" in self.fields else []

    def seat_fields(self):
        """How many seats to book, for a class that lets one booking take several (else an empty list)."""
        return [self["seats"]] if "seats" in self.fields else []

    def contact_fields(self):
        extra = [self["card_consent"]] if "card_consent" in self.fields else []
        return [self["name"], self["email"], self["phone"], self["sms_consent"], *extra]

    def clean(self):
        data = super().clean()
        if data.get("sms_consent") and not data.get("phone"):
            self.add_error("phone", _("Give a mobile number to receive text messages."))
        return data

    def clean_timezone(self):
        try:
            return check_timezone(self.cleaned_data["timezone"])
        except InvalidInput as error:
            raise forms.ValidationError(error.errors[0][1]) from error

    def clean_slot(self):
        return parse_slot(self.cleaned_data["slot"])

    def intake_answers(self):
        if not self.intake_form:
            return []
        data = {name[len(INTAKE_PREFIX):]: value for name, value in self.cleaned_data.items()
                if name.startswith(INTAKE_PREFIX)}
        return serialise_answers(self.intake_form, data)


def seats_label(count: int) -> str:
    return ngettext("%(count)s seat", "%(count)s seats", count) % {"count": count}


def price_label(quote, service) -> str:
    """"CAD: price CA$120.00, deposit now CA$24.00": one choice of currency, as the client pays it (with tax when
    the business adds it on top)."""
    values = {"currency": quote.currency,
              "price": money(with_tax(service, quote.price, quote.currency), quote.currency),
              "deposit": money(with_tax(service, quote.deposit, quote.currency), quote.currency)}
    if quote.deposit:
        return _("%(currency)s: price %(price)s, deposit now %(deposit)s") % values
    return _("%(currency)s: price %(price)s") % values
