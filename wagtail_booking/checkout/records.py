"""Oscar's side of a payment: the locked payment row, its order's payment events, and the booking's history.

Shared by the deposit path (``facade``), placing the order (``finalising``) and the refund paths.
"""

from oscar.core.loading import get_model

from .. import signals
from ..bookings import history
from .models import BookingPayment

PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")


def lock(payment) -> BookingPayment:
    """The payment's row, locked (and only it), as it is now: the caller's copy may be stale."""
    return BookingPayment.objects.select_for_update(of=("self",)).select_related("order").get(pk=payment.pk)


def record_debit(payment, amount, reference):
    """Book a capture in Oscar and announce it; called after the payment row shows the capture."""
    if payment.order:
        source = payment.order.sources.get(reference=payment.payment_intent_id)
        source.debit(amount, reference=reference, status="succeeded")
        event(payment.order, "Paid", amount, payment.payment_intent_id)
        recorded(payment, "debit", amount)


def recorded(payment, kind, amount):
    # In the booking's history: the client paid; a refund is the staff user's when made in the admin, else the
    # system's (a cancellation's settlement). A purchase without a booking has its Oscar order as its record.
    if payment.booking_id is not None:
        history.record(payment.booking, "paid" if kind == "debit" else "refunded",
                       history.BY_CLIENT if kind == "debit" else history.BY_SYSTEM,
                       amount=str(amount), currency=payment.currency)
    signals.send_isolated(signals.payment_recorded, sender=BookingPayment, payment=payment, kind=kind,
                          amount=amount)


def set_state(payment, state, problem=""):
    payment.state = state
    payment.problem = problem
    payment.save()


def event(order, name, amount, reference):
    event_type, _ = PaymentEventType.objects.get_or_create(name=name)
    event = PaymentEvent.objects.create(order=order, event_type=event_type, amount=amount, reference=reference)
    for line in order.lines.all():
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=line.quantity)
