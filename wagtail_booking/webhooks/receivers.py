"""Booking and payment signals -> webhook deliveries, recorded in the transaction of the change (see ``outbox``).

A hold is not an event: ``booking.created`` is sent when the client completes it (a request awaiting approval, or
a confirmed booking), and when staff enter a booking. A confirmed booking also sends ``booking.confirmed`` (after
``booking.created``), as an approved request does later.
"""

from .. import signals
from ..outbox import enqueue
from .delivery import record
from .events import iso, money
from .tasks import deliver_webhook_task


def _send(event_type, booking, payment=None, **extra):
    for delivery in record(event_type, booking, payment, **extra):
        enqueue(deliver_webhook_task, delivery.pk)


def on_requested(sender, booking, **kwargs):
    _send("booking.created", booking)


def on_confirmed(sender, booking, approved=False, **kwargs):
    if not approved:
        _send("booking.created", booking)
    _send("booking.confirmed", booking, approved=approved)


def on_cancelled(sender, booking, by="client", declined=False, **kwargs):
    _send("booking.cancelled", booking, cancelled_by=by, declined=declined)


def on_rescheduled(sender, booking, previous_start, **kwargs):
    _send("booking.rescheduled", booking, previous_start=iso(previous_start, booking.provider.timezone))


def on_outcome(sender, booking, status, **kwargs):
    _send("booking.completed" if status == "completed" else "booking.no_show", booking)


def on_payment(sender, payment, kind, amount=None, **kwargs):
    if payment.booking_id is None:
        return  # a purchase without a booking: the booking events do not describe it
    extra = {"amount": money(amount, payment.currency)} if amount is not None else {}
    _send("payment.succeeded" if kind == "debit" else "payment.refunded", payment.booking, payment, **extra)


RECEIVERS = {
    signals.booking_requested: on_requested,
    signals.booking_confirmed: on_confirmed,
    signals.booking_cancelled: on_cancelled,
    signals.booking_rescheduled: on_rescheduled,
    signals.booking_outcome: on_outcome,
    signals.payment_recorded: on_payment,
}


def connect():
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, dispatch_uid=f"wagtail_booking.webhooks.{receiver.__name__}")
