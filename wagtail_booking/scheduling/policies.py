"""Money and policy rules that do not need a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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


@dataclass(frozen=True)
class RefundStep:
    """Cancelling ``hours_before`` hours ahead or earlier refunds ``percent``; ``until`` is that moment (UTC-exact)
    for a known start, None when the terms are described in general."""

    hours_before: int
    percent: Decimal
    until: datetime | None = None


@dataclass(frozen=True)
class PolicyTerms:
    """A cancellation policy laid out for a client, step by step, earliest deadline first.

    ``steps`` apply in order: each one's percentage until its deadline; after the last deadline ``final_percent``.
    The fee is kept on every client cancellation. ``changes_close`` is when online cancelling and moving stop
    (the service's cut-off); None in general terms.
    """

    steps: tuple[RefundStep, ...]
    final_percent: Decimal
    fee: Decimal
    cutoff_hours: int
    changes_close: datetime | None = None


def policy_terms(policy: CancellationPolicy, cutoff_hours: int, start: datetime | None = None) -> PolicyTerms:
    """The refund steps of ``policy`` for a booking at ``start`` (or in general terms when ``start`` is None).

    Deadlines are exact spans of elapsed time before the start ("48 hours before" is 48 real hours, also across a
    daylight-saving change), the same arithmetic ``refund_for`` uses, so the words never promise more than it pays.
    """
    if start is not None and start.tzinfo is None:
        raise ValueError("policy_terms needs a timezone-aware start")
    if not policy.tiers:
        return PolicyTerms((), Decimal(100), policy.fee, cutoff_hours, _before(start, cutoff_hours))
    steps, seen = [], set()
    # percent_for takes the largest hours_before the notice meets: walk the tiers from the longest notice down.
    for tier in sorted(policy.tiers, key=lambda tier: -tier.hours_before):
        if tier.hours_before in seen:
            continue
        seen.add(tier.hours_before)
        steps.append(RefundStep(tier.hours_before, policy.percent_for(tier.hours_before),
                                _before(start, tier.hours_before)))
    final = policy.percent_for(-1) if steps[-1].hours_before > 0 else steps[-1].percent
    if steps[-1].hours_before == 0:
        steps.pop()  # a tier "0 hours before" applies up to the start: it is what holds after the last deadline
    return PolicyTerms(tuple(steps), final, policy.fee, cutoff_hours, _before(start, cutoff_hours))


def _before(start: datetime | None, hours: int) -> datetime | None:
    # In UTC: Python subtracts within one tzinfo by the wall clock, which is off by the DST shift.
    return None if start is None else (start.astimezone(UTC) - timedelta(hours=hours)).astimezone(start.tzinfo)
