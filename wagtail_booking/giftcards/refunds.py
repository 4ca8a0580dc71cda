"""A cancelled booking paid by gift card gets the policy's refund of the card's part back on the card.

Paid by gift cards alone: the policy as for any deposit (its fixed fee included). Paid partly through Stripe: each
part gets the policy's percentage back where it came from — the Stripe part through ``checkout.settlement`` (which
keeps the policy's fixed fee, once), the gift card part here, in proportion and without the fee a second time.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from oscar.core.loading import get_model

from .. import signals
from ..checkout.quotes import paid_payment, policy_for
from . import ledger
from .models import GiftCard, GiftCardEntry

OrderLine = get_model("order", "Line")


def order_numbers(booking) -> list[str]:
    lines = OrderLine.objects.filter(attributes__option__code="booking", attributes__value=booking.reference)
    return sorted(set(lines.values_list("order__number", flat=True)))


def return_for_cancellation(booking, by: str) -> Decimal:
    """Give the policy's refund of the gift card part back to the cards; returns the amount returned."""
    with_stripe = paid_payment(booking) is not None  # its part, and the fixed fee, are settled by checkout
    returned = Decimal("0")
    for number in order_numbers(booking):
        entries = GiftCardEntry.objects.filter(order_number=number, kind=GiftCardEntry.Kind.REDEEMED)
        for card_id, paid in entries.values_list("card_id").annotate(paid=Sum("amount")):
            paid = -paid
            due = paid
            if by == "client":
                hours = (booking.start - booking.cancelled_at).total_seconds() / 3600
                policy = policy_for(booking.service)
                due = (proportion(paid, policy.percent_for(hours)) if with_stripe
                       else policy.refund_for(paid, hours))
            if due > 0:
                reason = f"Booking {booking.reference} cancelled"
                returned += ledger.return_to_card(GiftCard(pk=card_id), due, number, reason)
    return returned


def proportion(paid: Decimal, percent: Decimal) -> Decimal:
    return (paid * percent / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _on_cancelled(sender, booking, by="client", declined=False, **kwargs):
    return_for_cancellation(booking, "business" if (by != "client" or declined) else "client")


def connect():
    signals.booking_cancelled.connect(_on_cancelled, dispatch_uid="wagtail_booking.giftcards.cancelled")
