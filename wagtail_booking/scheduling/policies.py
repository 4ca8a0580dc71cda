"""Money and policy rules that do not need a database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NONE, FIXED, PERCENT, FULL = "none", "fixed", "percent", "full"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class DepositRule:
    """What a client pays when booking: nothing, a fixed amount, a percentage of the price, or the full price."""

    kind: str = NONE
    value: Decimal = Decimal("0")

    def __post_init__(self):
        if self.kind not in (NONE, FIXED, PERCENT, FULL):
            raise ValueError(f"Unknown deposit kind {self.kind!r}")
        if self.value < 0:
            raise ValueError("A deposit cannot be negative")
        if self.kind == PERCENT and self.value > 100:
            raise ValueError("A percentage deposit cannot exceed 100")


def deposit_amount(price: Decimal, rule: DepositRule) -> Decimal:
    """The amount due at booking, rounded half-up to the cent and never more than the price."""
    if rule.kind == NONE:
        amount = Decimal("0")
    elif rule.kind == FULL:
        amount = price
    elif rule.kind == FIXED:
        amount = min(rule.value, price)
    else:
        amount = price * rule.value / Decimal(100)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
