"""The holder's side: apply a gift card on the payment page, take it off again."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..businesses import site_for_request
from ..formats import money
from ..site_settings import business_currency
from . import ledger


class ApplyForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Gift card code"), max_length=40)


def _due(basket) -> tuple[Decimal, str]:
    total = basket.total_incl_tax if basket.is_tax_known else basket.total_excl_tax
    return total, basket.currency


def _back():
    return HttpResponseRedirect(reverse("checkout:payment-details"))


@require_POST
def apply(request):
    """Reserve what the typed card can pay of this basket; every refusal is a message on the payment page."""
    basket = getattr(request, "basket", None)
    form = ApplyForm(request.POST)
    if basket is None or not basket.pk or basket.is_empty:
        messages.error(request, _("Your basket is empty, so there is nothing for a gift card to pay."))
        return HttpResponseRedirect(reverse("basket:summary"))
    if not form.is_valid():
        messages.error(request, _("Please type the gift card code."))
        return _back()
    total, currency = _due(basket)
    try:
        card = ledger.find(form.cleaned_data["code"], site_for_request(request).pk, currency)
        others = sum((h.amount for h in ledger.holds_for(basket.pk) if h.card_id != card.pk), Decimal("0"))
        if total - others <= 0:
            raise ledger.CardRefused(_("Your gift cards already pay everything."))
        hold = ledger.apply(card, basket.pk, total - others)
    except ledger.CardRefused as refused:
        messages.error(request, refused.message)
        return _back()
    messages.success(request, _("Gift card %(card)s pays %(amount)s.")
                     % {"card": card.masked_code, "amount": money(hold.amount, currency)})
    return _back()


@require_POST
def remove(request, card_id):
    basket = getattr(request, "basket", None)
    if basket is not None and basket.pk and ledger.release(basket.pk, card_id):
        messages.success(request, _("The gift card was taken off; its balance is free again."))
    return _back()


def buy(request):
    """The buyer chooses an amount and writes the card; it goes into the basket and on to the payment page."""
    from django.shortcuts import render
    from django.utils.translation import get_language
    from oscar.core.loading import get_class

    from ..conf import booking_settings
    from ..formats import language_code
    from . import selling

    currency = business_currency(site_for_request(request))  # the business sells its cards in its own currency
    form = selling.BuyForm(request.POST or None, currency=currency)
    if request.method == "POST" and form.is_valid():
        basket = request.basket
        if not basket.id:
            basket.save()
        selling.add_to_basket(basket, form.cleaned_data, site_for_request(request).pk,
                              language_code(get_language()), currency)
        get_class("checkout.utils", "CheckoutSessionData")(request).set_guest_email(form.cleaned_data["email"])
        return HttpResponseRedirect(reverse("checkout:index"))
    return render(request, "wagtail_booking/giftcards/buy.html", {
        "form": form, "currency": currency, "booking_base_template": booking_settings.BASE_TEMPLATE})
