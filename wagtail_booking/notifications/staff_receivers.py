"""Booking lifecycle -> messages to the business's people (``staff``), recorded in the change's transaction."""

from .. import signals
from .tasks import queue_staff_messages


def on_requested(sender, booking, **kwargs):
    queue_staff_messages(booking, "requested")


def on_confirmed(sender, booking, approved=False, **kwargs):
    # An approval is staff's own doing (the request was announced when it came in); a series booked at once is
    # announced once, by its first appointment's message, which lists the dates (``staff.email_context``).
    if not approved and not told_with_series(booking):
        queue_staff_messages(booking, "booked")


def told_with_series(booking) -> bool:
    """An appointment of a series booked at once, other than the first: its news is in the first one's messages
    (``bookings.series.book`` marks the instance it announces)."""
    return getattr(booking, "told_with_series", False)


def on_cancelled(sender, booking, declined=False, **kwargs):
    if not declined:  # declining is staff's own doing
        queue_staff_messages(booking, "cancelled")


def on_rescheduled(sender, booking, previous_start, **kwargs):
    queue_staff_messages(booking, "rescheduled", previous_start.isoformat())


def on_payment_failed(sender, payment, booking, problem="", **kwargs):
    queue_staff_messages(booking, "payment_failed", problem)


RECEIVERS = {
    signals.booking_requested: on_requested,
    signals.booking_confirmed: on_confirmed,
    signals.booking_cancelled: on_cancelled,
    signals.booking_rescheduled: on_rescheduled,
    signals.payment_failed: on_payment_failed,
}


def connect():
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, dispatch_uid=f"wagtail_booking.notifications.staff.{receiver.__name__}")
