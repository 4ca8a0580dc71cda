"""Plain functions the Huey tasks call: capture a deposit, settle a cancellation."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .. import signals
from ..bookings.models import Booking
from ..conf import booking_settings
from . import facade
from .models import BookingPayment
from .quotes import SETTLEMENT_FAILED

logger = logging.getLogger(__name__)


def capture_deposit(booking_id):
    payment = BookingPayment.objects.filter(booking_id=booking_id, state=BookingPayment.State.AUTHORISED).first()
    if payment is None:
        return None
    with transaction.atomic():
        # The payment row, then the booking's (the lock order of bookings.services): a cancellation cannot land
        # between the status check and the capture; one that came first is settled by settle_cancellation.
        payment = facade.lock(payment)
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or booking.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED,
                                                      Booking.Status.NO_SHOW):
            return None
        return facade.capture(payment)


def settle_cancellation(booking_id, by, final_attempt=False):
    """Refund what the policy gives back (everything when the business cancelled or declined).

    On the task's last try a failure still lets the client know: the problem is recorded on the payment (the
    booking's admin page shows it, staff refund from there) and ``cancellation_settled`` is sent without a payment,
    so the cancellation email goes out saying the refund is delayed; then the error is raised so the outbox
    records the task as failed.
    """
    booking = Booking.objects.select_related("service").filter(pk=booking_id).first()
    if booking is None or booking.status not in (Booking.Status.CANCELLED, Booking.Status.DECLINED):
        return None  # cancelled and declined are final: this check cannot go stale
    payment = facade.paid_payment(booking)
    if payment is None:
        return None  # nothing to settle: the cancellation's messages went out with it (notifications.receivers)
    try:
        with transaction.atomic():
            settled = facade.settle_cancellation(payment, booking, by)
            signals.send_isolated(signals.cancellation_settled, sender=Booking, booking=booking, payment=settled)
    except Exception as error:
        if final_attempt:
            _give_up_settlement(booking, payment, error)
        raise
    return settled


def _give_up_settlement(booking, payment, error):
    detail = error.message if isinstance(error, facade.PaymentProblem) else "see the server log"
    logger.error("Settling the cancellation of booking %s failed on every try: %s", booking.pk, detail)
    problem = f"{SETTLEMENT_FAILED} ({detail}). Refund the client from this page."
    with transaction.atomic():
        BookingPayment.objects.filter(pk=payment.pk).update(problem=problem, updated_at=timezone.now())
        signals.send_isolated(signals.cancellation_settled, sender=Booking, booking=booking, payment=None,
                              refund_delayed=True)
        signals.send_isolated(signals.payment_failed, sender=BookingPayment, payment=payment, booking=booking,
                              problem=problem)


def capture_ageing_authorisations(now=None) -> int:
    """Card authorisations lapse after about seven days: capture those about to, a later decline refunds them.

    Covers requests nobody approved in time and bookings moved further out after the card was authorised. Each
    payment stands alone: one that Stripe refuses is logged, its problem recorded on the payment (shown on the
    booking's admin page), and the others are still captured; it is tried again at the next run.
    Returns how many were captured.
    """
    cutoff = (now or timezone.now()) - timedelta(days=booking_settings.CARD_AUTHORIZATION_DAYS)
    ageing = BookingPayment.objects.filter(state=BookingPayment.State.AUTHORISED, created_at__lte=cutoff)
    captured = 0
    for payment in ageing.order_by("pk"):
        try:
            result = facade.capture(payment)
        except Exception as error:  # noqa: BLE001 - one payment's failure must not stop the others
            _record_capture_failure(payment, error)
        else:
            captured += result.state == BookingPayment.State.CAPTURED
    return captured


def _record_capture_failure(payment, error):
    if isinstance(error, facade.PaymentProblem):
        logger.error("Capturing payment %s of booking %s failed: %s", payment.pk, payment.booking_id, error.message)
        problem = f"Capturing the deposit before the card authorisation lapses failed: {error.message}"
    else:
        logger.exception("Capturing payment %s of booking %s failed", payment.pk, payment.booking_id)
        problem = "Capturing the deposit before the card authorisation lapses failed (see the server log)."
    # Only if it still waits for capture: a decline or cancel may have settled it meanwhile. Staff are told once
    # per problem, not at every hourly retry.
    with transaction.atomic():
        changed = (BookingPayment.objects.filter(pk=payment.pk, state=BookingPayment.State.AUTHORISED)
                   .exclude(problem=problem).update(problem=problem, updated_at=timezone.now()))
        if changed:
            signals.send_isolated(signals.payment_failed, sender=BookingPayment, payment=payment,
                                  booking=payment.booking, problem=problem)
