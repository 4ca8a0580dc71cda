"""Booking lifecycle -> emails, texts and reminders (signals are already sent after commit)."""

from .. import signals


def _email(booking, kind):
    from ..tasks import send_booking_email_task

    send_booking_email_task(booking.pk, kind)


def _sms(booking, kind):
    from .sending import queue_sms

    queue_sms(booking, kind)


def on_requested(sender, booking, **kwargs):
    _email(booking, "requested")
    _sms(booking, "requested")


def on_confirmed(sender, booking, approved=False, **kwargs):
    from .sending import schedule_reminders

    kind = "approved" if approved else "confirmed"
    _email(booking, kind)
    _sms(booking, kind)
    schedule_reminders(booking)


def on_cancelled(sender, booking, declined=False, **kwargs):
    from .sending import revoke_reminders

    kind = "declined" if declined else "cancelled"
    _email(booking, kind)
    _sms(booking, kind)
    revoke_reminders(booking, booking.start)


def on_rescheduled(sender, booking, previous_start, **kwargs):
    from .sending import revoke_reminders, schedule_reminders

    _email(booking, "rescheduled")
    _sms(booking, "rescheduled")
    revoke_reminders(booking, previous_start)
    if booking.status == booking.Status.CONFIRMED:
        schedule_reminders(booking)


RECEIVERS = {
    signals.booking_requested: on_requested,
    signals.booking_confirmed: on_confirmed,
    signals.booking_cancelled: on_cancelled,
    signals.booking_rescheduled: on_rescheduled,
}


def connect():
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, dispatch_uid=f"wagtail_booking.notifications.{receiver.__name__}")
