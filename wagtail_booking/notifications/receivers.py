"""Booking lifecycle -> emails, texts and reminders, recorded in the booking's transaction (see ``outbox``)."""

from .. import signals
from ..checkout.quotes import paid_payment
from ..outbox import enqueue
from . import series_deposits, staff_receivers
from . import waitlist as waitlist_messages
from .forms import plug_in
from .staff_receivers import told_with_series  # a series booked at once: one message, the first date's (``emails``)
from .tasks import (
    queue_messages,
    send_balance_receipt_task,
    send_fee_authentication_email_task,
    sync_reminders_task,
)


def on_requested(sender, booking, **kwargs):
    if not told_with_series(booking):
        queue_messages(booking, "requested")


def on_confirmed(sender, booking, approved=False, **kwargs):
    if not told_with_series(booking):
        queue_messages(booking, "approved" if approved else "confirmed")
    enqueue(sync_reminders_task, booking.pk)





def on_cancelled(sender, booking, declined=False, **kwargs):
    # A paid booking's messages wait for its money to be settled, so that they can say what is refunded.
    if paid_payment(booking) is None:
        queue_messages(booking, "declined" if declined else "cancelled")
    enqueue(sync_reminders_task, booking.pk)


def on_cancellation_settled(sender, booking, payment=None, **kwargs):
    queue_messages(booking, "declined" if booking.status == booking.Status.DECLINED else "cancelled")


def on_rescheduled(sender, booking, previous_start, **kwargs):
    queue_messages(booking, "rescheduled")
    enqueue(sync_reminders_task, booking.pk, previous_start.isoformat())


def on_meeting_link_ready(sender, booking, **kwargs):
    queue_messages(booking, "meeting_link")


def on_fee_needs_authentication(sender, fee, **kwargs):
    enqueue(send_fee_authentication_email_task, fee.pk)


def on_payment_recorded(sender, payment, kind, **kwargs):
    if kind == "debit" and payment.kind == payment.Kind.BALANCE:  # the client's receipt for a paid balance
        enqueue(send_balance_receipt_task, payment.pk)


RECEIVERS = {
    signals.fee_needs_authentication: on_fee_needs_authentication,
    signals.meeting_link_ready: on_meeting_link_ready,
    signals.payment_recorded: on_payment_recorded,
    signals.booking_requested: on_requested,
    signals.booking_confirmed: on_confirmed,
    signals.booking_cancelled: on_cancelled,
    signals.booking_rescheduled: on_rescheduled,
    signals.cancellation_settled: on_cancellation_settled,
}


def connect():
    plug_in()
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, dispatch_uid=f"wagtail_booking.notifications.{receiver.__name__}")
    staff_receivers.connect()
    waitlist_messages.connect()
    series_deposits.connect()
