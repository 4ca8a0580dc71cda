"""What a booking still owes after its visit, and what a tip comes to: plain Decimal arithmetic, no database."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
TIP_PERCENTAGES = (10, 15, 20)


@dataclass(frozen=True)
class Balance:
    """A booking's money after the visit, in one currency.

    ``deposit_kept`` is what the deposit took and kept (captured - refunded); ``paid`` what earlier balance
    payments paid towards the balance (their tips not counted); ``due`` never goes below zero.
    """

    price: Decimal
    add_ons: Decimal
    deposit_kept: Decimal
    paid: Decimal

    @property
    def total(self) -> Decimal:
        return self.price + self.add_ons

    @property
    def due(self) -> Decimal:
        return max(Decimal("0"), self.total - self.deposit_kept - self.paid).quantize(CENT)

    @property
    def paid_in_full(self) -> bool:
        return self.due == 0


def balance(price, add_ons=(), deposit_captured=Decimal("0"), deposit_refunded=Decimal("0"),
            balance_payments=()) -> Balance:
    """``add_ons`` and ``balance_payments`` are amounts; a refunded deposit no longer counts as paid."""
    return Balance(price=Decimal(price), add_ons=sum((Decimal(a) for a in add_ons), Decimal("0")),
                   deposit_kept=Decimal(deposit_captured) - Decimal(deposit_refunded),
                   paid=sum((Decimal(p) for p in balance_payments), Decimal("0")))


class TipError(ValueError):
    """The tip asked for cannot be taken. ``code`` says why (the form words it in the client's language):
    ``choice``, ``number``, ``negative``, ``decimals`` or ``too_much``."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def tip_amount(base: Decimal, choice: str, other="", maximum: Decimal | None = None) -> Decimal:
    """The tip for ``choice``: "none", a percentage of ``base`` ("10", "15", "20"), or "other" (``other``).

    Percentages round half up to the cent. ``other`` must be a number of at most two decimals, >= 0 and
    <= ``maximum`` (when given).
    """
    if choice in ("", "none"):
        return Decimal("0.00")
    if choice in {str(p) for p in TIP_PERCENTAGES}:
        return (Decimal(base) * Decimal(choice) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    if choice != "other":
        raise TipError("choice")
    try:
        amount = Decimal(str(other).strip().replace(",", "."))
    except InvalidOperation as error:
        raise TipError("number") from error
    if not amount.is_finite() or amount < 0:
        raise TipError("negative")
    if amount != amount.quantize(CENT):
        raise TipError("decimals")
    if maximum is not None and amount > maximum:
        raise TipError("too_much")
    return amount.quantize(CENT)


def tip_maximum(base: Decimal, cap: Decimal) -> Decimal:
    """The largest tip accepted: the balance itself (a 100% tip) or ``cap``, whichever is larger."""
    return max(Decimal(base), Decimal(cap)).quantize(CENT)
