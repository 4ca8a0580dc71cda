"""Late-cancellation and no-show fees: what a policy lets the business charge to a card kept on file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NONE, FIXED, PERCENT = "none", "fixed", "percent"
LATE_CANCELLATION, NO_SHOW = "late_cancellation", "no_show"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class FeeRule:
    """A fee of nothing, a fixed amount, or a percentage of the service's price."""

    kind: str = NONE
    value: Decimal = Decimal("0")

    def __post_init__(self):
        if self.kind not in (NONE, FIXED, PERCENT):
            raise ValueError(f"Unknown fee kind {self.kind!r}")
        if self.value < 0:
            raise ValueError("A fee cannot be negative")
        if self.kind == PERCENT and self.value > 100:
            raise ValueError("A percentage fee cannot exceed 100")

    @property
    def applies(self) -> bool:
        return self.kind != NONE and self.value > 0


@dataclass(frozen=True)
class FeePolicy:
    """The two fees a cancellation policy may name; ``late_cancellation`` applies after the last refund deadline."""

    late_cancellation: FeeRule = FeeRule()
    no_show: FeeRule = FeeRule()

    def rule(self, reason: str) -> FeeRule:
        if reason not in (LATE_CANCELLATION, NO_SHOW):
            raise ValueError(f"Unknown fee reason {reason!r}")
        return self.late_cancellation if reason == LATE_CANCELLATION else self.no_show

    @property
    def any(self) -> bool:
        return self.late_cancellation.applies or self.no_show.applies


def fee_amount(rule: FeeRule, price: Decimal, already_paid: Decimal = Decimal("0")) -> Decimal:
    """The fee for a booking of ``price``, less what the client already paid for it (a kept deposit counts
    towards the fee), rounded half-up to the cent, never below zero and never above the price."""
    if not rule.applies:
        return Decimal("0.00")
    gross = rule.value if rule.kind == FIXED else price * rule.value / Decimal(100)
    gross = min(gross, price) if price > 0 else gross
    return max(Decimal(0), gross - max(already_paid, Decimal(0))).quantize(CENT, rounding=ROUND_HALF_UP)
