"""Other ways to pay part of a basket on the payment page (gift cards, ...), plugged in by the packages above.

The checkout does not know what a gift card is: a package above it registers a *tender* at start-up
(``tenders.register(GiftCardTender())``). Stripe then takes only what the tenders leave; when they cover
everything, Oscar's ``handle_payment`` places the order without a card.

A tender is an object with these hooks:

``covered(basket) -> Decimal``
    What it has reserved for this basket right now (0 when nothing). Called when the payment page is drawn, when
    Stripe's money is checked against the basket (``facade.finalise``) and by ``handle_payment``.
``redeem(basket, order_number, due) -> list[Source]``
    Called exactly once per order, inside the transaction that places it: turn the reservation (at most ``due``)
    into money taken, and return Oscar ``Source`` objects, unsaved, each with its debit made (Oscar defers the
    ``Transaction`` until the source is saved with the order). Raise :class:`Refused` to refuse the whole order;
    the caller rolls back and gives the card money back.
``panel(request, basket, due, currency) -> str``
    HTML shown on the payment page (a form to apply or remove it); "" for none.
"""

from decimal import Decimal


class Refused(Exception):
    """A tender cannot pay what it promised; ``message`` is for the client."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


_tenders: dict[str, object] = {}


def register(tender) -> None:
    """Add a tender (registering the same class again replaces it)."""
    _tenders[type(tender).__name__] = tender


def covered(basket, total: Decimal) -> Decimal:
    """What the tenders pay of ``total`` for this basket (never more than the total)."""
    if basket is None or basket.pk is None:
        return Decimal("0")
    return min(total, sum((tender.covered(basket) for tender in _tenders.values()), Decimal("0")))


def redeem(basket, order_number: str, due: Decimal) -> list:
    """Take what the tenders reserved (at most ``due``); returns unsaved Oscar Sources. Inside a transaction."""
    sources = []
    for tender in _tenders.values():
        left = due - sum((s.amount_debited for s in sources), Decimal("0"))
        if left <= 0:
            break
        sources.extend(tender.redeem(basket, order_number, left))
    return sources


def panels(request, basket, due: Decimal, currency: str) -> list[str]:
    return [html for tender in _tenders.values() if (html := tender.panel(request, basket, due, currency))]
