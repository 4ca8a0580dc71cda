"""Gift card arithmetic, without a database: what a card can pay, and how a refund is split.

Refunds of something paid partly by gift card: **the gift card part first**. The card gets back up to what it paid
of that payment; only the rest goes back to the bank card through Stripe. A business's own refund policy decides
the refund's size; this rule only decides where it goes (documented in docs/howto/gift-cards.md).
"""

from decimal import Decimal

CENT = Decimal("0.01")


def available(balance: Decimal, held_by_others: Decimal) -> Decimal:
    """What a card can still promise: its balance less what other baskets hold; never below zero."""
    return max(Decimal("0"), balance - held_by_others)


def applicable(balance: Decimal, held_by_others: Decimal, due: Decimal) -> Decimal:
    """How much of ``due`` the card pays: all of it, or all that is available."""
    return min(available(balance, held_by_others), max(Decimal("0"), due)).quantize(CENT)


def split_refund(refund: Decimal, card_paid: Decimal, card_returned: Decimal) -> tuple[Decimal, Decimal]:
    """(to the gift card, to the bank card) for a refund of ``refund``: the gift card part first."""
    to_card = min(max(Decimal("0"), refund), max(Decimal("0"), card_paid - card_returned))
    return to_card, max(Decimal("0"), refund) - to_card


def amount_in_range(amount: Decimal, low: Decimal, high: Decimal) -> bool:
    """A buyer's chosen amount is whole cents between the business's minimum and maximum."""
    return amount.is_finite() and amount == amount.quantize(CENT) and low <= amount <= high
