"""Charging a late-cancellation or no-show fee to the card the client agreed to keep on file.

One :class:`FeeCharge` per booking and reason, with one PaymentIntent (created before any money moves) that every
try confirms off-session; the try number is in the idempotency key and must match what staff saw on the
confirmation page, so a double click or a retried request never charges twice. When the bank wants the client,
``fee_needs_authentication`` is sent (the client gets an email with a signed link) and the same PaymentIntent is
confirmed on-session on that page; :func:`finalise` records the outcome (return page and webhooks).
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from .. import signals
from ..bookings import history
from ..bookings.models import Booking
from ..formats import money
from ..scheduling.fees import LATE_CANCELLATION, NO_SHOW, fee_amount
from . import fee_orders, gateway
from .card_models import FeeCharge
from .cards import fee_policy_for, usable_card
from .models import BookingPayment
from .money import from_minor_units, to_minor_units
from .problems import PaymentProblem
from .quotes import paid_payment

logger = logging.getLogger(__name__)

STATUS_FOR = {LATE_CANCELLATION: Booking.Status.CANCELLED, NO_SHOW: Booking.Status.NO_SHOW}
TITLES = {LATE_CANCELLATION: "Late-cancellation fee", NO_SHOW: "No-show fee"}


@dataclass
class FeeOutcome:
    """``kind``: paid, declined, needs_authentication, already_paid or stale (a repeated click: nothing done)."""

    kind: str
    fee: FeeCharge
    message: str = ""


def kept_deposit(booking) -> Decimal:
    """What the booking's deposit kept (it counts towards the fee)."""
    payment = paid_payment(booking)
    if payment is None or payment.kind != BookingPayment.Kind.DEPOSIT:
        return Decimal("0")
    held = payment.amount if payment.state == BookingPayment.State.AUTHORISED else payment.amount_captured
    return max(Decimal("0"), held - payment.amount_refunded)


def quote(booking, reason) -> Decimal:
    """The fee the policy allows for ``booking`` now, less the deposit it kept."""
    rule = fee_policy_for(booking.service).rule(reason)
    return fee_amount(rule, booking.price, kept_deposit(booking))


def refusal(booking, reason) -> str:
    """Why the fee cannot be charged now, in words for staff; "" when it can."""
    existing = FeeCharge.objects.filter(booking=booking, reason=reason).select_related("payment").first()
    if existing is not None and existing.payment and existing.payment.state == BookingPayment.State.CAPTURED:
        return f"The {TITLES[reason].lower()} was charged already."
    if booking.status != STATUS_FOR[reason]:
        return f"Only a booking marked {STATUS_FOR[reason].label.lower()} can be charged this fee."
    if usable_card(booking) is None and existing is None:
        return "The client did not keep a card on file for this booking."
    if existing is None and quote(booking, reason) <= 0:
        return "The cancellation policy sets no such fee (or the kept deposit covers it)."
    return ""


def prepare(booking, reason, user=None, automatic=False) -> FeeCharge:
    """The booking's fee for ``reason`` (made once, at the amount of this moment); raises PaymentProblem."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        existing = FeeCharge.objects.filter(booking=booking, reason=reason).first()
        if existing is not None:
            return existing
        problem = refusal(booking, reason)
        if problem:
            raise PaymentProblem(problem, transient=False)
        try:
            with transaction.atomic():
                return FeeCharge.objects.create(
                    site_id=booking.site_id, booking=booking, reason=reason, amount=quote(booking, reason),
                    currency=booking.currency, saved_card=usable_card(booking), automatic=automatic,
                    requested_by=user if user is not None and user.is_authenticated else None)
        except IntegrityError:
            return FeeCharge.objects.get(booking=booking, reason=reason)


def charge(fee: FeeCharge, seen_attempts: int) -> FeeOutcome:
    """Try ``fee`` once more, if nobody tried since staff saw ``seen_attempts`` tries (else ``stale``)."""
    with transaction.atomic():
        # The fee's row only (not the booking's or the card's, which select_related would lock too): the invoice
        # task locks the payment, then the booking, and must not wait for us while we wait for the payment.
        fee = FeeCharge.objects.select_for_update(of=("self",)).select_related("booking", "saved_card").get(
            pk=fee.pk)
        payment = _locked_payment(fee)
        if payment is not None and payment.state == BookingPayment.State.CAPTURED:
            return FeeOutcome("already_paid", fee)
        if fee.attempts != seen_attempts:
            return FeeOutcome("stale", fee, "This fee was tried meanwhile; see its latest outcome below.")
        payment = payment or _open_payment(fee)
        fee.attempts += 1
        fee.save(update_fields=["attempts", "updated_at"])
        return _confirm(fee, payment)


def _locked_payment(fee):
    if fee.payment_id is None:
        return None
    return BookingPayment.objects.select_for_update(of=("self",)).select_related("order").get(pk=fee.payment_id)


def _open_payment(fee) -> BookingPayment:
    """The fee's PaymentIntent (not confirmed yet), its BookingPayment and its Oscar order."""
    card, booking = fee.saved_card, fee.booking
    minor = to_minor_units(fee.amount, fee.currency)
    intent = _stripe(gateway.create_off_session_intent, minor, fee.currency, card.customer_id, card.payment_method_id,
                     {"booking": booking.reference, "fee": fee.reason}, f"wb-fee-intent-{fee.pk}-{minor}",
                     card.stripe_account)
    basket = fee_orders.new_basket()
    order_number = fee_orders.order_number_for(basket)
    payment = BookingPayment.objects.create(
        site_id=booking.site_id, kind=BookingPayment.Kind.FEE, booking=booking, basket_id=basket.id,
        order_number=order_number, payment_intent_id=intent["id"], stripe_account=card.stripe_account,
        amount=fee.amount, currency=fee.currency, email=booking.client_email, card_brand=card.brand,
        card_last4=card.last4)
    payment.order = fee_orders.place_fee_order(basket, booking, fee.reason, TITLES[fee.reason], fee.amount,
                                               fee.currency, order_number)
    payment.save(update_fields=["order", "updated_at"])
    fee.payment = payment
    fee.save(update_fields=["payment", "updated_at"])
    return payment


def _confirm(fee, payment) -> FeeOutcome:
    _stripe_error, card_error, _sig = gateway.errors()
    try:
        intent = _stripe(gateway.confirm_off_session, payment.payment_intent_id, fee.saved_card.payment_method_id,
                         f"wb-fee-confirm-{fee.pk}-{fee.attempts}", payment.stripe_account, card_errors=False)
    except card_error as error:
        body = (error.json_body or {}).get("error", {}) if isinstance(error.json_body, dict) else {}
        return _declined(fee, payment, error.code or "", error.user_message or body.get("message") or "")
    if intent["status"] == "succeeded":
        return _paid(fee, payment, intent)
    return _declined(fee, payment, "", f"The payment is {intent['status'].replace('_', ' ')}.")


def _paid(fee, payment, intent) -> FeeOutcome:
    amount = from_minor_units(intent["amount_received"], payment.currency)
    payment.amount_captured, payment.state, payment.problem = amount, BookingPayment.State.CAPTURED, ""
    payment.save(update_fields=["amount_captured", "state", "problem", "updated_at"])
    fee_orders.record_paid(payment, amount, intent["latest_charge"])
    history.record(fee.booking, "fee_charged", history.BY_SYSTEM if fee.automatic else history.BY_STAFF,
                   amount=str(amount), currency=payment.currency)
    signals.send_isolated(signals.payment_recorded, sender=BookingPayment, payment=payment, kind="debit",
                          amount=amount)
    return FeeOutcome("paid", fee)


def _declined(fee, payment, code, message) -> FeeOutcome:
    if code == "authentication_required":
        text = ("The client's bank asks them to confirm this payment; they were emailed a link to do it "
                f"({money(fee.amount, fee.currency)}).")
        payment.state, payment.problem = BookingPayment.State.PENDING, text
        payment.save(update_fields=["state", "problem", "updated_at"])
        fee_orders.record_try(payment, fee.amount, "Authentication required: link sent to the client",
                              payment.payment_intent_id)
        signals.send_isolated(signals.fee_needs_authentication, sender=FeeCharge, fee=fee)
        return FeeOutcome("needs_authentication", fee, text)
    text = f"The card was declined: {message or 'no reason given'} Nothing was charged."
    history.record(fee.booking, "fee_failed", history.BY_SYSTEM, amount=str(fee.amount), currency=fee.currency)
    payment.state, payment.problem = BookingPayment.State.FAILED, text
    payment.save(update_fields=["state", "problem", "updated_at"])
    fee_orders.record_try(payment, fee.amount, f"Declined: {message}"[:128], payment.payment_intent_id)
    signals.send_isolated(signals.payment_failed, sender=BookingPayment, payment=payment, booking=fee.booking,
                          problem=text)
    return FeeOutcome("declined", fee, text)


def finalise(intent_id) -> FeeOutcome | None:
    """The client came back from authenticating (or a webhook arrived): record what Stripe says now."""
    with transaction.atomic():
        payment = (BookingPayment.objects.select_for_update(of=("self",)).select_related("order")
                   .filter(payment_intent_id=intent_id, kind=BookingPayment.Kind.FEE).first())
        if payment is None:
            return None
        fee = FeeCharge.objects.select_related("booking", "saved_card").get(payment=payment)
        if payment.state == BookingPayment.State.CAPTURED:
            return FeeOutcome("already_paid", fee)
        intent = _stripe(gateway.retrieve, intent_id, payment.stripe_account)
        if intent["status"] == "succeeded":
            return _paid(fee, payment, intent)
        error = intent["last_payment_error"] if "last_payment_error" in intent else None
        message = (error["message"] if error and "message" in error else "") or payment.problem
        return FeeOutcome("declined" if error else "needs_authentication", fee, message)


def charge_automatically(booking_id) -> FeeOutcome | None:
    """The business charges no-show fees on its own (its setting): try once, as staff would; a retry of the task
    finds the fee tried (or paid) and does not try again."""
    booking = Booking.objects.select_related("service", "site").filter(pk=booking_id).first()
    if booking is None or refusal(booking, NO_SHOW):
        return None
    try:
        fee = prepare(booking, NO_SHOW, automatic=True)
        return None if fee.attempts else charge(fee, 0)
    except PaymentProblem as problem:
        if problem.transient:
            raise  # the task tries again; the same try number gives the same idempotency key
        logger.warning("No-show fee for booking %s not charged: %s", booking.pk, problem.message)
        return None


def authentication_token(fee) -> str:
    """The signature in the client's link: it names this fee and its PaymentIntent, nothing else."""
    return salted_hmac("wagtail_booking.fee-authentication", f"{fee.pk}:{fee.payment.payment_intent_id}").hexdigest()


def check_authentication_token(fee, token) -> bool:
    return fee.payment_id is not None and constant_time_compare(authentication_token(fee), token or "")


def _stripe(function, *args, card_errors=True):
    stripe_error, card_error, _sig = gateway.errors()
    try:
        return function(*args)
    except card_error:
        if not card_errors:
            raise
        raise PaymentProblem("Stripe refused the card.", transient=False) from None
    except stripe_error as error:
        logger.warning("Stripe call %s for a fee failed: %s", function.__name__, error)
        if gateway.is_transient(error):
            raise PaymentProblem("The payment service is not answering right now; nothing was charged. Try again in "
                                 "a minute.", transient=True) from error
        raise PaymentProblem("The payment service refused this request; nothing was charged. "
                             f"(Stripe request {getattr(error, 'request_id', '') or 'unknown'})",
                             transient=False) from error


__all__ = ["FeeCharge", "FeeOutcome", "PaymentProblem", "charge", "charge_automatically", "finalise", "prepare",
           "quote", "refusal", "usable_card"]
