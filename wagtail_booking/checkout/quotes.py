"""What a booking's deposit holds and what cancelling it would give back: read-only, no Stripe, no locks taken.

The facade settles a cancellation with :func:`refund_quote` under the payment's lock; the manage page, the API and
the admin show the same figure before anyone cancels.
"""

from decimal import Decimal

from django.utils import timezone

from ..scheduling import CancellationPolicy as CancellationRule  # the pure rule, not the snippet model
from ..site_settings import site_settings
from .catalogue import appointment_lines
from .models import BookingPayment

# How ``settlement`` words the payment's problem when a cancellation's refund failed on every try.
SETTLEMENT_FAILED = "Refunding the cancellation failed on every try"


def refund_quote(booking, by="client", now=None, payment=None, start=None) -> Decimal:
    """What cancelling now gives back: the policy for clients, everything for the business.

    ``payment`` is the booking's paid payment when the caller holds it locked (else it is looked up). ``start`` asks
    what cancelling would give back were the booking moved there (the manage page's move confirmation).
    """
    payment = payment or paid_payment(booking)
    if payment is None:
        return Decimal("0")
    # Reckoned on the booking's whole part of the deposit (in a mixed basket, its appointment line only), less what
    # went back already (refunds, and the part of a card authorisation a settlement let go when it captured only
    # what is kept), so a second settlement run refunds nothing twice.
    share = booking_share(payment, booking)
    given_back = payment.amount_refunded
    if payment.state != BookingPayment.State.AUTHORISED:
        given_back += max(Decimal("0"), payment.amount - payment.amount_captured)
    due = share
    if by == "client":
        hours = ((start or booking.start) - (now or timezone.now())).total_seconds() / 3600
        due = policy_for(booking.service).refund_for(share, hours)
    return max(Decimal("0"), due - given_back)


def booking_share(payment, booking) -> Decimal:
    """What of the payment was for ``booking``: its appointment line of the order, after discounts.

    A basket may hold shop products as well as the appointment (one payment for both); cancelling the appointment
    gives back its own part only, never the products'.
    """
    paid = payment.amount
    if payment.order is None:
        return paid
    lines = appointment_lines(payment.order, booking.reference)
    if not lines:
        return paid
    return min(paid, sum((line.line_price_incl_tax for line in lines), Decimal("0")))


def policy_for(service) -> CancellationRule:
    """The cancellation rule of ``service``: its own policy, else its business's default, else full refunds."""
    if service.cancellation_policy_id:
        return service.cancellation_policy.as_rule()
    settings_row = site_settings(service.site)  # the business's own default policy
    if settings_row is not None and settings_row.default_cancellation_policy_id:
        return settings_row.default_cancellation_policy.as_rule()
    return CancellationRule()


def paid_payment(booking) -> BookingPayment | None:
    """The booking's deposit while it holds money (authorised or captured), with its Oscar order."""
    held = [BookingPayment.State.AUTHORISED, BookingPayment.State.CAPTURED]
    return (BookingPayment.objects.filter(booking=booking, kind=BookingPayment.Kind.DEPOSIT, state__in=held)
            .select_related("order").first())


def refund_delayed(payment) -> bool:
    """The cancellation's settlement gave up and the money is still held: staff have to refund it."""
    return (payment.problem.startswith(SETTLEMENT_FAILED)
            and payment.state in (BookingPayment.State.AUTHORISED, BookingPayment.State.CAPTURED))


def money_back(booking) -> tuple[BookingPayment, Decimal] | None:
    """What a cancelled booking's client gets back and the payment it goes back through, or None if nothing was paid.

    Before the settlement ran, the policy's figure at the moment of cancelling (what the settlement will refund);
    after it, what actually went back: refunds plus any part of a card authorisation that was released.
    """
    payment = (BookingPayment.objects.filter(booking=booking, kind=BookingPayment.Kind.DEPOSIT, order__isnull=False)
               .order_by("-pk").first())
    if payment is None or booking.cancelled_at is None:
        return None
    held = payment.state == BookingPayment.State.AUTHORISED or (
        payment.state == BookingPayment.State.CAPTURED and payment.amount_refunded == 0
        and payment.amount_captured >= payment.amount)
    if held:  # not settled yet
        by = "client" if booking.status == booking.Status.CANCELLED else "business"
        return payment, refund_quote(booking, by=by, now=booking.cancelled_at, payment=payment)
    released = payment.amount - payment.amount_captured  # what a partly captured authorisation let go
    return payment, max(Decimal("0"), released) + payment.amount_refunded
