"""Plain functions the Huey tasks call: capture a deposit, settle a cancellation."""

from ..bookings.models import Booking
from . import facade
from .models import BookingPayment


def capture_deposit(booking_id):
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None or booking.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED,
                                                  Booking.Status.NO_SHOW):
        return None
    payment = BookingPayment.objects.filter(booking=booking, state=BookingPayment.State.AUTHORISED).first()
    return facade.capture(payment) if payment else None


def settle_cancellation(booking_id, by):
    """Refund what the policy gives back (everything when the business cancelled or declined)."""
    booking = Booking.objects.select_related("service").filter(pk=booking_id).first()
    if booking is None or booking.status not in (Booking.Status.CANCELLED, Booking.Status.DECLINED):
        return None
    payment = facade.paid_payment(booking)
    if payment is None:
        return None
    amount = facade.refund_quote(booking, by=by, now=booking.cancelled_at)
    reason = "Cancelled by the business" if by == "business" else "Cancelled by the client (policy refund)"
    if amount <= 0 and payment.state == BookingPayment.State.AUTHORISED:
        return facade.capture(payment)  # nothing refundable: the authorised deposit is kept
    return facade.refund(payment, amount, reason)


def capture_ageing_authorisations(now=None):
    """Card authorisations lapse after about seven days: capture those about to, a later decline refunds them.

    Covers requests nobody approved in time and bookings moved further out after the card was authorised.
    """
    from datetime import timedelta

    from django.utils import timezone

    from ..conf import booking_settings

    cutoff = (now or timezone.now()) - timedelta(days=booking_settings.CARD_AUTHORIZATION_DAYS)
    captured = 0
    for payment in BookingPayment.objects.filter(state=BookingPayment.State.AUTHORISED, created_at__lte=cutoff):
        facade.capture(payment)
        captured += 1
    return captured
