"""Selling gift cards: the product class, the buyer's form, and putting the chosen amount in the basket."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from ..checkout import catalogue, pricing
from ..conf import booking_settings
from ..formats import money
from . import rules

Product = get_model("catalogue", "Product")

PRODUCT_CLASS_SLUG = pricing.line_priced("gift-card")
# What the buyer wrote travels on the basket line (and Oscar copies it to the order line) in these options.
OPTIONS = {"site": "giftcard_site", "from_name": "giftcard_from", "to_name": "giftcard_to",
           "recipient_email": "giftcard_recipient", "message": "giftcard_message", "language": "giftcard_language"}


def product():
    """The one gift card product (created on first use): no shipping, no stock, priced by its line."""
    of_class = catalogue.product_class(PRODUCT_CLASS_SLUG, "Gift card")
    return (Product.objects.filter(product_class=of_class).first()
            or catalogue.standalone_product("wb-gift-card", "Gift card", of_class, is_public=True))


def limits() -> tuple[Decimal, Decimal]:
    return Decimal(str(booking_settings.GIFT_CARD_MIN_AMOUNT)), Decimal(str(booking_settings.GIFT_CARD_MAX_AMOUNT))


class BuyForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=10, decimal_places=2)
    from_name = forms.CharField(label=_("From"), max_length=200)
    to_name = forms.CharField(label=_("To"), max_length=200)
    recipient_email = forms.EmailField(label=_("Recipient's email"))
    email = forms.EmailField(label=_("Your email"), help_text=_("We send you a copy and the receipt."))
    message = forms.CharField(label=_("Message"), max_length=1000, required=False, widget=forms.Textarea(
        attrs={"rows": 4}))

    def __init__(self, *args, currency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency or settings.OSCAR_DEFAULT_CURRENCY
        low, high = limits()
        self.fields["amount"].help_text = _("Between %(low)s and %(high)s.") % {
            "low": money(low, self.currency), "high": money(high, self.currency)}
        self.fields["amount"].widget.attrs.update({"min": str(low), "max": str(high), "step": "0.01"})

    def clean_amount(self):
        amount, (low, high) = self.cleaned_data["amount"], limits()
        if not rules.amount_in_range(amount, low, high):
            raise forms.ValidationError(_("Choose an amount between %(low)s and %(high)s.") % {
                "low": money(low, self.currency), "high": money(high, self.currency)})
        return amount


def option(code):
    return catalogue.text_option(code, code)


def add_to_basket(basket, data: dict, site_id, language: str, currency: str):
    """One gift card line costing the chosen amount, carrying what the buyer wrote."""
    values = {**{key: data.get(key, "") for key in OPTIONS}, "site": str(site_id), "language": language}
    options = [{"option": option(code), "value": str(values[key])} for key, code in OPTIONS.items() if values[key]]
    return pricing.add_priced_line(basket, product(), data["amount"], currency, options=options)


def line_details(line) -> dict:
    """What the buyer wrote, read back from an order (or basket) line's options."""
    by_code = {attribute.option.code: attribute.value for attribute in line.attributes.select_related("option")
               if attribute.option_id}
    return {key: str(by_code.get(code, "") or "") for key, code in OPTIONS.items()}
