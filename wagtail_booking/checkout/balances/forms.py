"""The client's tip on the balance page: none, 10/15/20 % of the balance, or another amount."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ... import formats
from ...conf import booking_settings
from . import due

ERRORS = {
    "choice": _("Choose one of the tips offered."),
    "number": _("Enter the tip as a number, for example 12.50."),
    "negative": _("A tip cannot be negative."),
    "decimals": _("A tip has at most two decimals."),
    "too_much": _("A tip can be at most %(maximum)s."),
}


class TipForm(forms.Form):
    tip = forms.ChoiceField(label=_("Add a tip?"), widget=forms.RadioSelect, initial="none")
    other = forms.CharField(label=_("Another amount"), required=False, max_length=12,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                            help_text=_("Only when you chose \"Another amount\" above."))

    def __init__(self, *args, balance: Decimal, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.balance, self.currency = balance, currency
        self.fields["tip"].choices = [("none", _("No tip"))] + [
            (str(p), f"{p}% ({formats.money(due.tip_amount(balance, str(p)), currency)})")
            for p in due.TIP_PERCENTAGES] + [("other", _("Another amount"))]

    @property
    def maximum(self) -> Decimal:
        return due.tip_maximum(self.balance, Decimal(str(booking_settings.TIP_MAXIMUM)))

    def clean(self):
        data = super().clean()
        if "tip" not in data:
            return data
        if data["tip"] == "other" and not (data.get("other") or "").strip():
            self.add_error("other", _("Enter the tip you want to add, or choose another option."))
            return data
        try:
            data["tip_amount"] = due.tip_amount(self.balance, data["tip"], data.get("other", ""), self.maximum)
        except due.TipError as error:
            message = ERRORS[error.code] % {"maximum": formats.money(self.maximum, self.currency)}
            self.add_error("other" if data["tip"] == "other" else "tip", message)
        return data
