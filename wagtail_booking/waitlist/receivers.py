"""A cancellation, a declined request or a move frees a place: offer it to the waitlist after the commit."""

from .. import signals
from ..outbox import enqueue
from .tasks import offer_free_places_task


def _on_place_freed(sender, booking, **kwargs):
    enqueue(offer_free_places_task, booking.service_id)


def connect():
    # Expired holds free their place without a signal: the periodic sweep (tasks.waitlist_sweep_task) finds those.
    signals.booking_cancelled.connect(_on_place_freed, dispatch_uid="wagtail_booking.waitlist.cancelled")
    signals.booking_rescheduled.connect(_on_place_freed, dispatch_uid="wagtail_booking.waitlist.rescheduled")
