"""Maps Stripe's answers onto bookings and Oscar's payment records. Views, tasks and the webhook call this.

Every function is safe to call twice: the payment row is locked, Stripe calls carry idempotency keys, and the
PaymentIntent is re-fetched rather than trusted from a webhook payload.

Every function that changes a payment locks its row and re-reads it before deciding anything (STYLE rule 17);
callers pass whatever copy they have. Lock order: the payment row first, then (through ``services``) the provider
and booking rows, the same order the booking services use, so the two cannot deadlock.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from .. import signals
from ..bookings import history, services
from ..bookings.models import Booking
from ..conf import booking_settings
from ..formats import money
from . import cards, connect, fulfilment, gateway, tenders
from .balances import lines as balance_lines
from .balances import services as balance_services
from .catalogue import booking_references
from .models import BookingPayment
from .money import from_minor_units, to_minor_units
from .quotes import paid_payment, policy_for, refund_quote  # noqa: F401 (callers use facade.paid_payment, ...)

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
NoShippingRequired = get_class("shipping.methods", "NoShippingRequired")
Selector = get_class("partner.strategy", "Selector")
Applicator = get_class("offer.applicator", "Applicator")


class PaymentProblem(Exception):
    """Stripe could not be reached or refused; ``message`` is for the client or the owner.

    ``transient`` is True when trying again later can help (network, Stripe's 5xx, rate limits).
    """

    def __init__(self, message, transient=True):
        super().__init__(message)
        self.message, self.transient = message, transient


@dataclass
class Outcome:
    """What finalising a payment led to. ``kind``: paid, not_paid, lost, cancelled."""

    kind: str
    payment: BookingPayment
    message: str = ""


def _stripe_call(function, *args, **kwargs):
    stripe_error, card_error, _ = gateway.errors()
    try:
        return function(*args, **kwargs)
    except card_error as error:
        raise PaymentProblem(error.user_message or "Your card was declined.") from error
    except stripe_error as error:
        logger.warning("Stripe call %s failed: %s", function.__name__, error)
        if gateway.is_transient(error):
            raise PaymentProblem("The payment service is not answering right now; please try again in a minute. "
                                 "Your time stays held until the hold expires.") from error
        raise PaymentProblem("The payment service refused this request; nothing was charged. Please contact us "
                             f"and quote {getattr(error, 'request_id', '') or 'this message'}.",
                             transient=False) from error


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
            intent = _stripe_call(
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
            intent = _stripe_call(gateway.update_amount, payment.payment_intent_id, amount_minor,
                                  f"wb-intent-update-{payment.pk}-{payment.attempt}-{amount_minor}",
                                  payment.stripe_account, fee_minor)
            payment.amount, payment.email = total, email
            payment.application_fee = from_minor_units(fee_minor or 0, payment.currency)
            payment.save(update_fields=["amount", "email", "attempt", "application_fee", "updated_at"])
            return payment, intent
        return payment, _stripe_call(gateway.retrieve, payment.payment_intent_id, payment.stripe_account)


def _customer_for_saving(booking, account) -> str:
    """The Stripe Customer to save the deposit's card on, when the client agreed to keep it on file; else ""."""
    card = cards.pending_card(booking)
    if card is None:
        return ""
    try:
        return cards.ensure_customer(card, account)
    except cards.CardProblem as problem:
        raise PaymentProblem(problem.message) from problem


# After the card: place the order, confirm the booking -------------------------------------------------------------


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
        intent = _stripe_call(gateway.retrieve, intent_id, payment.stripe_account)
        status = intent["status"]
        if status == "canceled":
            _set_state(payment, BookingPayment.State.RELEASED, "The payment was cancelled.")
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
    basket = Basket._default_manager.get(pk=payment.basket_id)
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
        _event(order, "Paid", other.amount_debited, other.reference)
    basket.submit()
    payment.order = order
    source_type, _ = SourceType.objects.get_or_create(code="stripe", defaults={"name": "Stripe"})
    source = Source.objects.create(order=order, source_type=source_type, currency=payment.currency,
                                   reference=payment.payment_intent_id, label="Card (Stripe)")
    received = amount - other_part
    source.allocate(received, reference=payment.payment_intent_id, status=intent["status"])
    _event(order, "Authorised", received, payment.payment_intent_id)
    if intent["status"] == "succeeded":
        source.debit(received, reference=intent["latest_charge"] or payment.payment_intent_id, status="succeeded")
        _event(order, "Paid", received, payment.payment_intent_id)
        payment.amount_captured = received
        payment.state = BookingPayment.State.CAPTURED
        _recorded(payment, "debit", received)
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
        _stripe_call(gateway.cancel, payment.payment_intent_id, f"wb-release-{payment.pk}", payment.stripe_account)
        state = BookingPayment.State.RELEASED
    else:
        refunded = _stripe_call(gateway.refund, payment.payment_intent_id, intent["amount_received"],
                                f"wb-refund-{payment.pk}-lost", payment.stripe_account)
        payment.amount_captured = from_minor_units(intent["amount_received"], payment.currency)
        payment.amount_refunded = from_minor_units(refunded["amount"], payment.currency)
        state = BookingPayment.State.REFUNDED
    _set_state(payment, state, message)


# Later: capture, release, refund ------------------------------------------------------------------------------------


def capture(payment) -> BookingPayment:
    """Take an authorised deposit (at confirmation, approval, or a no-show)."""
    with transaction.atomic():
        payment = lock(payment)
        if payment.state != BookingPayment.State.AUTHORISED:
            return payment
        intent = _stripe_call(gateway.capture, payment.payment_intent_id, None, f"wb-capture-{payment.pk}",
                              payment.stripe_account)
        amount = from_minor_units(intent["amount_received"], payment.currency)
        payment.amount_captured = amount
        payment.state = BookingPayment.State.CAPTURED
        payment.problem = ""  # e.g. an earlier capture attempt that failed
        payment.save(update_fields=["amount_captured", "state", "problem", "updated_at"])
        _record_debit(payment, amount, intent["latest_charge"] or payment.payment_intent_id)
    return payment


def refund(payment, amount: Decimal, reason: str) -> BookingPayment:
    """Return ``amount`` to the client. An uncaptured authorisation is captured down to what is kept.

    The limit is checked against the payment as it is under its lock, so two refunds made at the same moment
    (two staff members, a cancellation's refund) can never give back more than was paid.
    """
    with transaction.atomic():
        payment = lock(payment)
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
        result = _stripe_call(gateway.refund, payment.payment_intent_id, minor,
                              f"wb-refund-{payment.pk}-{count}-{minor}", payment.stripe_account)
        refunded = from_minor_units(result["amount"], payment.currency)
        payment.amount_refunded += refunded
        if payment.refundable <= 0:
            payment.state = BookingPayment.State.REFUNDED
        payment.save(update_fields=["amount_refunded", "state", "updated_at"])
        if payment.order:
            payment.order.sources.get(reference=payment.payment_intent_id).refund(refunded, reference=result["id"],
                                                                                     status=reason)
            _event(payment.order, "Refunded", refunded, result["id"])
            _recorded(payment, "refund", refunded)
    return payment


def settle_cancellation(payment, booking, by: str) -> BookingPayment:
    """Give back what cancelling ``booking`` gives back, reckoned under the payment's lock.

    Computed from what the payment still holds at that moment, so a staff refund made just before (or a retried
    settlement) is taken into account and nothing is refunded twice.
    """
    reason = "Cancelled by the business" if by == "business" else "Cancelled by the client (policy refund)"
    with transaction.atomic():
        payment = lock(payment)
        if payment.state not in (BookingPayment.State.AUTHORISED, BookingPayment.State.CAPTURED):
            return payment
        amount = refund_quote(booking, by=by, now=booking.cancelled_at, payment=payment)
        if amount <= 0 and payment.state == BookingPayment.State.AUTHORISED:
            return capture(payment)  # nothing refundable: the authorised deposit is kept
        return refund(payment, amount, reason)


def _settle_authorisation(payment, keep: Decimal, reason):
    if keep <= 0:
        _stripe_call(gateway.cancel, payment.payment_intent_id, f"wb-release-{payment.pk}", payment.stripe_account)
        _set_state(payment, BookingPayment.State.RELEASED, reason)
        if payment.order:
            _event(payment.order, "Released", payment.amount, payment.payment_intent_id)
        return payment
    minor = to_minor_units(keep, payment.currency)
    fee_minor = connect.fee_minor_for(payment, keep)  # the platform's fee is on what is kept
    intent = _stripe_call(gateway.capture, payment.payment_intent_id, minor, f"wb-capture-{payment.pk}-{minor}",
                          payment.stripe_account, fee_minor)
    kept = from_minor_units(intent["amount_received"], payment.currency)
    payment.application_fee = from_minor_units(fee_minor or 0, payment.currency)
    payment.amount_captured = kept
    payment.state = BookingPayment.State.CAPTURED
    payment.problem = reason
    payment.save(update_fields=["amount_captured", "state", "problem", "application_fee", "updated_at"])
    _record_debit(payment, kept, intent["latest_charge"] or payment.payment_intent_id)
    return payment


def record_outside_refunds(payment) -> Decimal:
    """Record refunds made outside this site (the Stripe Dashboard) that Oscar does not know yet."""
    with transaction.atomic():
        payment = lock(payment)
        if payment.order is None:
            return Decimal("0")
        source = payment.order.sources.get(reference=payment.payment_intent_id)
        known = set(source.transactions.filter(txn_type="Refund").values_list("reference", flat=True))
        added = Decimal("0")
        for refund in _stripe_call(gateway.list_refunds, payment.payment_intent_id, payment.stripe_account):
            if refund["id"] in known or refund["status"] not in ("succeeded", "pending"):
                continue
            amount = from_minor_units(refund["amount"], payment.currency)
            source.refund(amount, reference=refund["id"], status="Refunded outside the site (Stripe Dashboard)")
            _event(payment.order, "Refunded", amount, refund["id"])
            added += amount
        if added:
            payment.amount_refunded += added
            if payment.refundable <= 0:
                payment.state = BookingPayment.State.REFUNDED
            payment.save(update_fields=["amount_refunded", "state", "updated_at"])
            _recorded(payment, "refund", added)
    return added


def bookings_in(order) -> list[Booking]:
    return list(Booking.objects.filter(reference__in=booking_references(order)))


def lock(payment) -> BookingPayment:
    """The payment's row, locked (and only it), as it is now: the caller's copy may be stale."""
    return BookingPayment.objects.select_for_update(of=("self",)).select_related("order").get(pk=payment.pk)


def _record_debit(payment, amount, reference):
    """Book a capture in Oscar and announce it; called after the payment row shows the capture."""
    if payment.order:
        source = payment.order.sources.get(reference=payment.payment_intent_id)
        source.debit(amount, reference=reference, status="succeeded")
        _event(payment.order, "Paid", amount, payment.payment_intent_id)
        _recorded(payment, "debit", amount)


def _recorded(payment, kind, amount):
    # In the booking's history: the client paid; a refund is the staff user's when made in the admin, else the
    # system's (a cancellation's settlement). A purchase without a booking has its Oscar order as its record.
    if payment.booking_id is not None:
        history.record(payment.booking, "paid" if kind == "debit" else "refunded",
                       history.BY_CLIENT if kind == "debit" else history.BY_SYSTEM,
                       amount=str(amount), currency=payment.currency)
    signals.send_isolated(signals.payment_recorded, sender=BookingPayment, payment=payment, kind=kind,
                          amount=amount)


def _set_state(payment, state, problem=""):
    payment.state = state
    payment.problem = problem
    payment.save()


def _event(order, name, amount, reference):
    event_type, _ = PaymentEventType.objects.get_or_create(name=name)
    event = PaymentEvent.objects.create(order=order, event_type=event_type, amount=amount, reference=reference)
    for line in order.lines.all():
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=line.quantity)
