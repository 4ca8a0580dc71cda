"""Queue a calendar write-back when a booking is confirmed, moved or cancelled (in the booking's transaction)."""

from .. import signals
from ..outbox import enqueue
from .models import BookingEvent, CalendarConnection
from .tasks import calendar_write_back_task


def _queue_write_back(sender, booking, **kwargs):
    connected = CalendarConnection.objects.filter(provider_id=booking.provider_id,
                                                  status=CalendarConnection.Status.CONNECTED)
    if connected.exists() or BookingEvent.objects.filter(booking_id=booking.pk, deleted=False).exists():
        enqueue(calendar_write_back_task, booking.pk)


def connect():
    for signal in (signals.booking_confirmed, signals.booking_rescheduled, signals.booking_cancelled):
        signal.connect(_queue_write_back, dispatch_uid=f"wagtail_booking.sync.{id(signal)}")
