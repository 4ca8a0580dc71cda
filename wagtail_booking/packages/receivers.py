"""Credits follow the booking: a cancellation gives the credit back when the policy says so."""

from .. import signals
from ..checkout.quotes import policy_for
from .credits import give_back


def _on_cancelled(sender, booking, by="client", declined=False, **kwargs):
    notice_hours = (booking.start - booking.cancelled_at).total_seconds() / 3600 if booking.cancelled_at else 0
    who = "business" if (by != "client" or declined) else "client"
    give_back(booking, who, policy_for(booking.service).percent_for(notice_hours))


def connect():
    signals.booking_cancelled.connect(_on_cancelled, dispatch_uid="wagtail_booking.packages.cancelled")
