"""After the card: place the Oscar order and confirm what it pays for, exactly once per PaymentIntent.

One path for the three kinds a basket can pay: a deposit completes the booking's hold, a purchase (package, gift
card) is fulfilled line by line (``fulfilment``), and a balance is checked against the bill as it is now
(``balances``). Whatever cannot be kept (a changed basket, a lost slot, a spent gift card) is given back at once.
The return page and the webhooks call :func:`finalise` through ``facade``.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from oscar.core.loading import get_class, get_model

from ..bookings import services
from . import cards, fulfilment, gateway, records, tenders
from .balances import lines as balance_lines
from .balances import services as balance_services
from .catalogue import booking_references
from .models import BookingPayment
from .money import from_minor_units
from .problems import stripe_call

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
NoShippingRequired = get_class("shipping.methods", "NoShippingRequired")
Selector = get_class("partner.strategy", "Selector")
Applicator = get_class("offer.applicator", "Applicator")


@dataclass
class Outcome:
    """What finalising a payment led to. ``kind``: paid, not_paid, lost, cancelled."""

    kind: str
    payment: BookingPayment
    message: str = ""


def finalise(intent_id) -> Outcome:
    """Called by the return page and by webhooks; places the order and confirms the booking exactly once."""
    with transaction.atomic():
        # Only the payment row: the booking is locked by complete_hold, after the provider (see the lock order).
        payment = (BookingPayment.objects.select_for_update(of=("self",)).select_related("booking")
                   .get(payment_intent_id=intent_id))
        if payment.order_id:
            return Outcome("paid", payment)
        if payment.state in (BookingPayment.State.RELEASED, BookingPayment.State.REFUNDED):
            return Outcome("lost", payment, payment.problem)
        intent = stripe_call(gateway.retrieve, intent_id, payment.stripe_account)
        status = intent["status"]
        if status == "canceled":
            records.set_state(payment, BookingPayment.State.RELEASED, "The payment was cancelled.")
            return Outcome("cancelled", payment, payment.problem)
        if status not in ("requires_capture", "succeeded"):
            error = intent["last_payment_error"] if "last_payment_error" in intent else None
            message = (error["message"] if error and "message" in error else "") or "The payment is not complete."
            payment.problem = message
            payment.save(update_fields=["problem", "updated_at"])
            return Outcome("not_paid", payment, message)
        received = from_minor_units(intent["amount_received"] or intent["amount_capturable"], payment.currency)
        priced = _priced_basket(payment)
        basket = priced[0]
        if basket.status != basket.OPEN or (payment.booking_id
                                            and payment.booking.reference not in _references(payment, basket)):
            message = ("This payment belongs to a basket that has changed (another time was chosen or it was already "
                       "paid). We have not kept your money: it is on its way back to your card.")
            _give_back(payment, intent, message)
            return Outcome("lost", payment, message)
        if priced[-1] - tenders.covered(basket, priced[-1]) != received:
            message = ("Your basket changed while you were paying, so the amount paid no longer matches it. We have "
                       "not kept your money: it is on its way back to your card. Please pay again.")
            logger.warning("Payment %s: Stripe holds %s but the basket totals %s", payment.pk, received, priced[-1])
            _give_back(payment, intent, message)
            return Outcome("lost", payment, message)
        refused = balance_refusal(payment, basket)
        if refused:
            _give_back(payment, intent, refused)
            return Outcome("lost", payment, refused)
        try:
            with transaction.atomic():  # a tender refusing (a gift card spent meanwhile) undoes the booking too
                if payment.kind == BookingPayment.Kind.DEPOSIT:  # a purchase or a balance has no hold to complete
                    services.complete_hold(payment.booking)
                _place_order(payment, intent, priced)
        except (services.SlotUnavailable, tenders.Refused) as lost:
            message = f"{lost.message} We have not kept your money: it is on its way back to your card."
            _give_back(payment, intent, message)
            return Outcome("lost", payment, message)
    return Outcome("paid", payment)


def _references(payment, basket):
    """The booking references the basket pays for, as this payment's kind marks them on its lines."""
    if payment.kind == BookingPayment.Kind.BALANCE:
        return balance_lines.references(basket)
    return booking_references(basket)


def balance_refusal(payment, basket) -> str:
    """For a balance payment, why it cannot be kept (already paid, or the bill changed); "" otherwise."""
    if payment.kind != BookingPayment.Kind.BALANCE:
        return ""
    return balance_services.refusal(payment.booking, balance_lines.amounts(basket)[balance_lines.BALANCE_CLASS])


def _priced_basket(payment):
    """The basket behind the payment, with offers applied, and what it costs now."""
    return priced_basket(Basket._default_manager.get(pk=payment.basket_id))


def priced_basket(basket):
    """``basket`` with offers applied and what it costs now: (basket, user, shipping, charge, total, amount)."""
    user = basket.owner or AnonymousUser()
    basket.strategy = Selector().strategy(user=user)
    Applicator().apply(basket, user)
    shipping = NoShippingRequired()
    charge = shipping.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    return basket, user, shipping, charge, total, (total.incl_tax if total.is_tax_known else total.excl_tax)


def _place_order(payment, intent, priced):
    basket, user, shipping, charge, total, amount = priced
    extra = {} if basket.owner_id else {"guest_email": payment.email}
    order = OrderCreator().place_order(basket=basket, total=total, shipping_method=shipping, shipping_charge=charge,
                                       user=user, order_number=payment.order_number, **extra)
    other_part = tenders.covered(basket, amount)  # a gift card's part: its own sources, debited here, once
    for other in tenders.redeem(basket, order.number, other_part):  # may refuse: before anything else is saved
        other.order = order
        other.save()
        records.event(order, "Paid", other.amount_debited, other.reference)
    basket.submit()
    payment.order = order
    source_type, _ = SourceType.objects.get_or_create(code="stripe", defaults={"name": "Stripe"})
    source = Source.objects.create(order=order, source_type=source_type, currency=payment.currency,
                                   reference=payment.payment_intent_id, label="Card (Stripe)")
    received = amount - other_part
    source.allocate(received, reference=payment.payment_intent_id, status=intent["status"])
    records.event(order, "Authorised", received, payment.payment_intent_id)
    if intent["status"] == "succeeded":
        source.debit(received, reference=intent["latest_charge"] or payment.payment_intent_id, status="succeeded")
        records.event(order, "Paid", received, payment.payment_intent_id)
        payment.amount_captured = received
        payment.state = BookingPayment.State.CAPTURED
        records.recorded(payment, "debit", received)
    else:
        payment.state = BookingPayment.State.AUTHORISED
    payment.card_brand, payment.card_last4 = _card_of(intent, payment.stripe_account)
    payment.problem = ""
    cards.saved_by_payment(payment, intent)  # kept on file, as the client agreed (setup_future_usage)
    payment.save()
    fulfilment.fulfil(order, payment)  # once: the order is placed once per payment, under its lock
    return order


def _card_of(intent, account):
    """(brand, last 4) of the card that paid, kept so pages and emails can say where a refund goes. Only words for
    the client: when Stripe cannot say, the payment goes through without them."""
    try:
        details = gateway.retrieve_charge(intent["latest_charge"], account)["payment_method_details"]
        card = details["card"] if details and "card" in details else None
        return (card["brand"] or "")[:20], (card["last4"] or "")[:4]
    except Exception:  # noqa: BLE001 - the booking matters more than how we describe its card
        logger.warning("No card details for PaymentIntent %s", intent["id"], exc_info=True)
        return "", ""


def _give_back(payment, intent, message):
    if intent["status"] == "requires_capture":
        stripe_call(gateway.cancel, payment.payment_intent_id, f"wb-release-{payment.pk}", payment.stripe_account)
        state = BookingPayment.State.RELEASED
    else:
        refunded = stripe_call(gateway.refund, payment.payment_intent_id, intent["amount_received"],
                                f"wb-refund-{payment.pk}-lost", payment.stripe_account)
        payment.amount_captured = from_minor_units(intent["amount_received"], payment.currency)
        payment.amount_refunded = from_minor_units(refunded["amount"], payment.currency)
        state = BookingPayment.State.REFUNDED
    records.set_state(payment, state, message)
