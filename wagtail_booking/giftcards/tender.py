"""Gift cards as a checkout tender (``checkout.tenders``): they pay part or all of a basket on the payment page.

In Oscar a card's part is a payment ``Source`` labelled "Gift card ····ABCD" with its own debit ``Transaction``,
beside the Stripe source, never a voucher or a discount: the order total stays what was bought.
"""

from decimal import Decimal

from django.template.loader import render_to_string
from oscar.core.loading import get_model

from ..checkout import tenders
from . import ledger

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

SOURCE_TYPE_CODE = "gift-card"


def source_reference(card) -> str:
    """How a card's Oscar source names it (its id, never its code)."""
    return f"giftcard-{card.pk}"


class GiftCardTender:
    """The hooks ``checkout.tenders`` calls; registered by the app's ``ready()``."""

    def covered(self, basket) -> Decimal:
        return ledger.held_for(basket.pk)

    def redeem(self, basket, order_number, due):
        try:
            redemptions = ledger.redeem_basket(basket.pk, order_number, due)
        except ledger.CardRefused as refused:
            raise tenders.Refused(refused.message) from refused
        source_type, _ = SourceType.objects.get_or_create(code=SOURCE_TYPE_CODE, defaults={"name": "Gift card"})
        sources = []
        for redemption in redemptions:
            card = redemption.card
            source = Source(source_type=source_type, currency=card.currency, amount_allocated=redemption.amount,
                            amount_debited=redemption.amount, reference=source_reference(card),
                            label=f"Gift card {card.masked_code}")
            source.create_deferred_transaction("Debit", redemption.amount, source_reference(card), "succeeded")
            sources.append(source)
        return sources

    def panel(self, request, basket, due, currency):
        return render_to_string("wagtail_booking/giftcards/panel.html", {
            "holds": ledger.holds_for(basket.pk), "currency": currency}, request=request)
