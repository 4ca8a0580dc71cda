"""Money follows the booking: capture on confirmation, refund or release on cancellation, keep on a no-show."""

from .. import signals
from ..outbox import enqueue
from ..site_settings import site_settings
from . import series_upfront
from .cards import usable_card
from .tasks import capture_deposit_task, charge_no_show_fee_task, charge_series_deposits_task, settle_cancellation_task


def _on_confirmed(sender, booking, **kwargs):
    enqueue(capture_deposit_task, booking.pk)
    _on_first_of_series(sender, booking)


def _on_first_of_series(sender, booking, **kwargs):
    if series_upfront.starts_charging(booking):  # a series paid up front: the later deposits, to the same card
        enqueue(charge_series_deposits_task, booking.series_id)


def _on_cancelled(sender, booking, by="client", declined=False, **kwargs):
    enqueue(settle_cancellation_task, booking.pk, "business" if (by != "client" or declined) else "client")


def _on_outcome(sender, booking, status, **kwargs):
    enqueue(capture_deposit_task, booking.pk)  # completed or no-show: the deposit is kept either way
    if status == "no_show" and usable_card(booking) is not None:
        details = site_settings(booking.site)
        if details is not None and details.charge_no_show_fee_automatically:
            enqueue(charge_no_show_fee_task, booking.pk)  # after the commit, once the no-show is recorded


def connect():
    signals.booking_confirmed.connect(_on_confirmed, dispatch_uid="wagtail_booking.checkout.confirmed")
    signals.booking_requested.connect(_on_first_of_series, dispatch_uid="wagtail_booking.checkout.requested")
    signals.booking_cancelled.connect(_on_cancelled, dispatch_uid="wagtail_booking.checkout.cancelled")
    signals.booking_outcome.connect(_on_outcome, dispatch_uid="wagtail_booking.checkout.outcome")
