"""Queue client emails when a booking's state changes (signals are already sent after commit)."""

from .. import signals


def _queue(kind):
    def receiver(sender, booking, **kwargs):
        from ..tasks import send_booking_email_task

        send_booking_email_task(booking.pk, "declined" if kwargs.get("declined") else kind)

    return receiver


RECEIVERS = {
    signals.booking_requested: _queue("requested"),
    signals.booking_confirmed: _queue("confirmed"),
    signals.booking_cancelled: _queue("cancelled"),
    signals.booking_rescheduled: _queue("rescheduled"),
}


def connect():
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, dispatch_uid=f"wagtail_booking.email.{id(signal)}")
