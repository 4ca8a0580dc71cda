"""Pure scheduling core: standard library only, frozen dataclasses in, frozen dataclasses out.

Django code converts rows into these types (see ``wagtail_booking.bookings.availability``) and back.
"""

from .policies import CancellationPolicy, DepositRule, RefundTier, deposit_amount
from .slots import compute_slots, nearest_slots
from .types import DateOverride, Interval, ProviderSchedule, ServiceRules, Slot, WeeklyRule

__all__ = [
    "CancellationPolicy",
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
]
