"""Queue a Google write-back when a booking is confirmed, moved or cancelled (signals are sent after commit)."""

import logging

from .. import signals

logger = logging.getLogger(__name__)


def _queue_write_back(sender, booking, **kwargs):
    from ..tasks import google_write_back_task
    from .models import GoogleConnection

    # A calendar problem must never fail a booking: the booking is committed already, so only log.
    try:
        if GoogleConnection.objects.filter(provider_id=booking.provider_id,
                                           status=GoogleConnection.Status.CONNECTED).exists():
            google_write_back_task(booking.pk)
    except Exception:
        logger.exception("Could not queue the Google Calendar write-back of booking %s", booking.pk)


def connect():
    for signal in (signals.booking_confirmed, signals.booking_rescheduled, signals.booking_cancelled):
        signal.connect(_queue_write_back, dispatch_uid=f"wagtail_booking.sync.{id(signal)}")
