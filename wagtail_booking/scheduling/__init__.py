"""Pure scheduling core: standard library only, frozen dataclasses in, frozen dataclasses out.

Django code converts rows into these types (see ``wagtail_booking.bookings.availability``) and back.
"""

from .policies import CancellationPolicy, DepositRule, PolicyTerms, RefundStep, RefundTier, deposit_amount, policy_terms
from .slots import compute_slots, nearest_slots
from .types import DateOverride, Interval, ProviderSchedule, ServiceRules, Slot, WeeklyRule

__all__ = [
    "CancellationPolicy",
    "PolicyTerms",
    "RefundStep",
    "RefundTier",
    "DateOverride",
    "DepositRule",
    "Interval",
    "ProviderSchedule",
    "ServiceRules",
    "Slot",
    "WeeklyRule",
    "compute_slots",
    "deposit_amount",
    "nearest_slots",
    "policy_terms",
]
