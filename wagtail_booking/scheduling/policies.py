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


@dataclass(frozen=True)
class RefundTier:
    """Cancelling at least ``hours_before`` hours ahead refunds ``percent`` of what was paid."""

    hours_before: int
    percent: Decimal

    def __post_init__(self):
        if self.hours_before < 0 or not (0 <= self.percent <= 100):
            raise ValueError("A tier needs hours >= 0 and a percentage from 0 to 100")


@dataclass(frozen=True)
class CancellationPolicy:
    """Time-graded refunds for client cancellations, less an optional fixed fee.

    With no tiers everything is refunded (less the fee). With tiers, the tier with the largest ``hours_before``
    that the notice still meets applies; notice shorter than every tier refunds nothing.
    """

    tiers: tuple[RefundTier, ...] = ()
    fee: Decimal = Decimal("0")

    def percent_for(self, notice_hours: float) -> Decimal:
        if not self.tiers:
            return Decimal(100)
        met = [tier for tier in self.tiers if notice_hours >= tier.hours_before]
        return max(met, key=lambda tier: tier.hours_before).percent if met else Decimal(0)

    def refund_for(self, paid: Decimal, notice_hours: float) -> Decimal:
        """What a client gets back for cancelling ``notice_hours`` before the start, never below zero."""
        refund = paid * self.percent_for(notice_hours) / Decimal(100) - self.fee
        return max(Decimal(0), min(paid, refund)).quantize(CENT, rounding=ROUND_HALF_UP)
