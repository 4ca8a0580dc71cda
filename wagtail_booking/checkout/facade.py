"""Maps Stripe's answers onto bookings and Oscar's payment records. Views, tasks and the webhook call this.

Placing the order after the card is in ``finalising``; Oscar's records of a payment in ``records``.

Every function is safe to call twice: the payment row is locked, Stripe calls carry idempotency keys, and the
PaymentIntent is re-fetched rather than trusted from a webhook payload.

Every function that changes a payment locks its row and re-reads it before deciding anything (STYLE rule 17);
callers pass whatever copy they have. Lock order: the payment row first, then (through ``services``) the provider
and booking rows, the same order the booking services use, so the two cannot deadlock.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..bookings.models import Booking
from ..conf import booking_settings
from ..formats import money
from . import cards, connect, gateway, records
from .catalogue import booking_references
from .finalising import Outcome, balance_refusal, finalise  # noqa: F401 (callers use facade.finalise, ...)
from .models import BookingPayment
from .money import from_minor_units, to_minor_units
from .problems import PaymentProblem, stripe_call  # noqa: F401 (callers catch facade.PaymentProblem)
from .quotes import paid_payment, policy_for, refund_quote  # noqa: F401 (callers use facade.paid_payment, ...)
from .records import lock  # noqa: F401 (callers use facade.lock)

logger = logging.getLogger(__name__)


# Before the card: one PaymentIntent per basket --------------------------------------------------------------------


def captures_later(booking, now=None) -> bool:
    """Authorise now and capture later only when the appointment is inside the card authorisation window."""
    window = timedelta(days=booking_settings.CARD_AUTHORIZATION_DAYS)
    return booking.start - (now or timezone.now()) <= window


def prepare_payment(basket, booking, email, order_number, total: Decimal, currency: str, site_id=None,
                    kind=None):
    """The PaymentIntent for this basket at this amount (created, or updated when a voucher changed the total).

    ``booking`` None: a purchase (see ``fulfilment``) for the business ``site_id``, captured at once. ``kind``
    ``balance``: the booking's balance after the visit (see ``balances``), also captured at once.
    """
    kind = kind or (BookingPayment.Kind.DEPOSIT if booking else BookingPayment.Kind.PURCHASE)
    amount_minor = to_minor_units(total, currency)
    site_id = booking.site_id if booking else site_id
    with transaction.atomic():
        payment = (BookingPayment.objects.select_for_update()
                   .filter(basket_id=basket.id, booking=booking, state=BookingPayment.State.PENDING).first())
        if payment is None:
            try:
                target = connect.charge_target_for_site(site_id)
            except connect.NoPaymentAccount as refused:
                raise PaymentProblem(refused.message, transient=False) from refused
            manual = captures_later(booking) if kind == BookingPayment.Kind.DEPOSIT else False
            fee_minor = target.fee_minor(total, currency)
            about = {"booking": booking.reference} if booking else {"purchase": "yes"}
            customer = _customer_for_saving(booking, target.account) if kind == BookingPayment.Kind.DEPOSIT else ""
            intent = stripe_call(
                gateway.create_intent, amount_minor, currency, manual,
                {**about, "order_number": order_number, "basket": str(basket.id)},
                f"wb-intent-{basket.id}-{booking.pk if booking else 'p'}-{order_number}-{amount_minor}", email,
                target.account, fee_minor, customer, bool(customer))
            payment = BookingPayment.objects.create(
                booking=booking, basket_id=basket.id, order_number=order_number, payment_intent_id=intent["id"],
                amount=total, currency=currency, capture_manual=manual, email=email, stripe_account=target.account,
                site_id=site_id, application_fee=from_minor_units(fee_minor, currency),
                kind=kind)
            return payment, intent
        if payment.amount != total or payment.email != email:
            payment.attempt += 1
            fee_minor = connect.fee_minor_for(payment, total)
            intent = stripe_call(gateway.update_amount, payment.payment_intent_id, amount_minor,
                                  f"wb-intent-update-{payment.pk}-{payment.attempt}-{amount_minor}",
                                  payment.stripe_account, fee_minor)
            payment.amount, payment.email = total, email
            payment.application_fee = from_minor_units(fee_minor or 0, payment.currency)
            payment.save(update_fields=["amount", "email", "attempt", "application_fee", "updated_at"])
            return payment, intent
        return payment, stripe_call(gateway.retrieve, payment.payment_intent_id, payment.stripe_account)


def _customer_for_saving(booking, account) -> str:
    """The Stripe Customer to save the deposit's card on, when the client agreed to keep it on file; else ""."""
    card = cards.pending_card(booking)
    if card is None:
        return ""
    try:
        return cards.ensure_customer(card, account)
    except cards.CardProblem as problem:
        raise PaymentProblem(problem.message) from problem


# Later: capture, release, refund ------------------------------------------------------------------------------------


def capture(payment) -> BookingPayment:
    """Take an authorised deposit (at confirmation, approval, or a no-show)."""
    with transaction.atomic():
        payment = records.lock(payment)
        if payment.state != BookingPayment.State.AUTHORISED:
            return payment
        intent = stripe_call(gateway.capture, payment.payment_intent_id, None, f"wb-capture-{payment.pk}",
                              payment.stripe_account)
        amount = from_minor_units(intent["amount_received"], payment.currency)
        payment.amount_captured = amount
        payment.state = BookingPayment.State.CAPTURED
        payment.problem = ""  # e.g. an earlier capture attempt that failed
        payment.save(update_fields=["amount_captured", "state", "problem", "updated_at"])
        records.record_debit(payment, amount, intent["latest_charge"] or payment.payment_intent_id)
    return payment


def refund(payment, amount: Decimal, reason: str) -> BookingPayment:
    """Return ``amount`` to the client. An uncaptured authorisation is captured down to what is kept.

    The limit is checked against the payment as it is under its lock, so two refunds made at the same moment
    (two staff members, a cancellation's refund) can never give back more than was paid.
    """
    with transaction.atomic():
        payment = records.lock(payment)
        if payment.state == BookingPayment.State.AUTHORISED:
            amount = min(amount, payment.amount)
            return _settle_authorisation(payment, payment.amount - amount, reason) if amount > 0 else payment
        if amount <= 0:
            return payment
        if amount > payment.refundable:
            raise PaymentProblem(f"At most {money(payment.refundable, payment.currency)} can be refunded.",
                                 transient=False)
        # Counted under the lock: a second refund of the same amount gets its own key, a retry of this one not.
        count = payment.order.sources.first().transactions.filter(txn_type="Refund").count() if payment.order else 0
        minor = to_minor_units(amount, payment.currency)
        result = stripe_call(gateway.refund, payment.payment_intent_id, minor,
                              f"wb-refund-{payment.pk}-{count}-{minor}", payment.stripe_account)
        refunded = from_minor_units(result["amount"], payment.currency)
        payment.amount_refunded += refunded
        if payment.refundable <= 0:
            payment.state = BookingPayment.State.REFUNDED
        payment.save(update_fields=["amount_refunded", "state", "updated_at"])
        if payment.order:
            payment.order.sources.get(reference=payment.payment_intent_id).refund(refunded, reference=result["id"],
                                                                                     status=reason)
            records.event(payment.order, "Refunded", refunded, result["id"])
            records.recorded(payment, "refund", refunded)
    return payment


def settle_cancellation(payment, booking, by: str) -> BookingPayment:
    """Give back what cancelling ``booking`` gives back, reckoned under the payment's lock.

    Computed from what the payment still holds at that moment, so a staff refund made just before (or a retried
    settlement) is taken into account and nothing is refunded twice.
    """
    reason = "Cancelled by the business" if by == "business" else "Cancelled by the client (policy refund)"
    with transaction.atomic():
        payment = records.lock(payment)
        if payment.state not in (BookingPayment.State.AUTHORISED, BookingPayment.State.CAPTURED):
            return payment
        amount = refund_quote(booking, by=by, now=booking.cancelled_at, payment=payment)
        if amount <= 0 and payment.state == BookingPayment.State.AUTHORISED:
            return capture(payment)  # nothing refundable: the authorised deposit is kept
        return refund(payment, amount, reason)


def _settle_authorisation(payment, keep: Decimal, reason):
    if keep <= 0:
        stripe_call(gateway.cancel, payment.payment_intent_id, f"wb-release-{payment.pk}", payment.stripe_account)
        records.set_state(payment, BookingPayment.State.RELEASED, reason)
        if payment.order:
            records.event(payment.order, "Released", payment.amount, payment.payment_intent_id)
        return payment
    minor = to_minor_units(keep, payment.currency)
    fee_minor = connect.fee_minor_for(payment, keep)  # the platform's fee is on what is kept
    intent = stripe_call(gateway.capture, payment.payment_intent_id, minor, f"wb-capture-{payment.pk}-{minor}",
                          payment.stripe_account, fee_minor)
    kept = from_minor_units(intent["amount_received"], payment.currency)
    payment.application_fee = from_minor_units(fee_minor or 0, payment.currency)
    payment.amount_captured = kept
    payment.state = BookingPayment.State.CAPTURED
    payment.problem = reason
    payment.save(update_fields=["amount_captured", "state", "problem", "application_fee", "updated_at"])
    records.record_debit(payment, kept, intent["latest_charge"] or payment.payment_intent_id)
    return payment


def record_outside_refunds(payment) -> Decimal:
    """Record refunds made outside this site (the Stripe Dashboard) that Oscar does not know yet."""
    with transaction.atomic():
        payment = records.lock(payment)
        if payment.order is None:
            return Decimal("0")
        source = payment.order.sources.get(reference=payment.payment_intent_id)
        known = set(source.transactions.filter(txn_type="Refund").values_list("reference", flat=True))
        added = Decimal("0")
        for refund in stripe_call(gateway.list_refunds, payment.payment_intent_id, payment.stripe_account):
            if refund["id"] in known or refund["status"] not in ("succeeded", "pending"):
                continue
            amount = from_minor_units(refund["amount"], payment.currency)
            source.refund(amount, reference=refund["id"], status="Refunded outside the site (Stripe Dashboard)")
            records.event(payment.order, "Refunded", amount, refund["id"])
            added += amount
        if added:
            payment.amount_refunded += added
            if payment.refundable <= 0:
                payment.state = BookingPayment.State.REFUNDED
            payment.save(update_fields=["amount_refunded", "state", "updated_at"])
            records.recorded(payment, "refund", added)
    return added


def bookings_in(order) -> list[Booking]:
    return list(Booking.objects.filter(reference__in=booking_references(order)))
