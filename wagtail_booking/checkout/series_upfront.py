"""A series paid up front: the first deposit at the checkout, every later one charged right after it to that card.

The client chose to pay all the deposits now on the review, agreeing to the words of :func:`consent_words`, which
are kept as a ``SavedCard`` of the first appointment (:func:`record_consent`), so the first deposit's PaymentIntent
saves the card (``setup_future_usage``). Once the first appointment is confirmed or awaits approval,
:func:`charge_later` charges each later appointment's deposit to that card, off-session: each its own PaymentIntent,
basket and Oscar order, placed by ``finalising.finalise`` like any deposit, so each appointment's cancellation
refunds exactly its own deposit (``settlement``).

A charge the bank refuses (or wants the client for) leaves that appointment reserved, and its payment link is
emailed at once (``series_deposit_refused``): it is then paid as in a series paid per appointment
(``bookings.series_payments``). Once every later deposit was tried, the card is let go (``SavedCard.State.SPENT``):
the client agreed to these charges, not to later fees.
"""

import logging
from collections import Counter

from django.db import transaction
from django.utils.translation import gettext as _

from .. import formats, signals
from ..bookings import history, series_payments
from ..bookings.models import Booking, BookingSeries
from . import cards, connect, fee_orders, gateway
from .card_models import SavedCard
from .catalogue import add_booking
from .finalising import finalise, priced_basket
from .handoff import PaymentHandoff, get_payment_handoff
from .models import BookingPayment
from .money import from_minor_units, to_minor_units
from .problems import PaymentProblem, stripe_call

logger = logging.getLogger(__name__)


def offered(service) -> bool:
    """Whether clients may pay a series' deposits up front: the payment integration can keep cards."""
    handoff = get_payment_handoff()
    return type(handoff).card_setup_url is not PaymentHandoff.card_setup_url and handoff.is_available(service.site)


def consent_words(deposit: str) -> str:
    """The choice the client makes on the review to pay up front: what they agree to, kept with the card."""
    return _("Pay all the deposits now: the first at the checkout, the others charged right after it to the same "
             "card, %(amount)s each, one payment per appointment.") % {"amount": deposit}


def record_consent(series: BookingSeries) -> SavedCard | None:
    """Keep the client's agreement on the first appointment, whose payment then saves the card."""
    rows = list(series.bookings.order_by("start"))
    if series.payment != BookingSeries.Payment.UP_FRONT or len(rows) < 2:
        return None
    first = rows[0]
    return cards.record_consent(first, consent_words(formats.money(first.deposit_with_tax, first.currency)))


def starts_charging(booking) -> bool:
    """Whether ``booking``'s confirmation (or request) should charge the later deposits: it is the first
    appointment of a series paid up front."""
    if booking.series_id is None or booking.series.payment != BookingSeries.Payment.UP_FRONT:
        return False
    return not Booking.objects.filter(series_id=booking.series_id, start__lt=booking.start).exists()


def charge_later(series_id) -> Counter:
    """Charge every later deposit of an up-front series not yet charged; counts of outcomes (paid, refused, ...).

    Safe to run twice: an appointment is claimed under its row lock (``deposit_step`` "charging") and every Stripe
    call carries an idempotency key, so a retry confirms the same PaymentIntent and places its order once.
    """
    series = BookingSeries.objects.filter(pk=series_id, payment=BookingSeries.Payment.UP_FRONT).first()
    first = series.bookings.order_by("start").first() if series else None
    card = cards.usable_card(first) if first else None
    outcomes = Counter()
    if card is None:
        return outcomes
    for row_id in series.bookings.filter(start__gt=first.start, status=Booking.Status.HELD,
                                         deposit_step__in=series_payments.AWAITING).order_by("start").values_list(
                                             "pk", flat=True):
        outcomes[_charge(row_id, card)] += 1
    SavedCard.objects.filter(pk=card.pk).update(state=SavedCard.State.SPENT)
    return outcomes


def _charge(row_id, card) -> str:
    payment = _open(row_id, card)
    if payment is None:
        return "skipped"
    _stripe_error, card_error, _sig = gateway.errors()
    try:
        stripe_call(gateway.confirm_off_session, payment.payment_intent_id, card.payment_method_id,
                    f"wb-series-confirm-{payment.pk}", payment.stripe_account)
    except PaymentProblem as problem:
        if isinstance(problem.__cause__, card_error):
            return _refused(payment, problem.message)
        raise  # Stripe down: the task tries again, with the same keys
    outcome = finalise(payment.payment_intent_id)
    if outcome.kind == "not_paid":
        return _refused(payment, outcome.message)
    return outcome.kind


def _open(row_id, card) -> BookingPayment | None:
    """Claim the appointment and make its PaymentIntent, basket and payment row (once; a retry finds them)."""
    with transaction.atomic():
        row = Booking.objects.select_for_update().filter(pk=row_id).select_related("service", "provider").first()
        if row is None or not series_payments.awaits_deposit(row):
            return None
        if row.deposit_step == series_payments.CHARGING:  # a retry: the payment made by the try that claimed it
            return BookingPayment.objects.filter(booking=row, kind=BookingPayment.Kind.DEPOSIT,
                                                 state=BookingPayment.State.PENDING).order_by("-pk").first()
        if row.payments.exists():
            return None  # the client is paying it through its own link
        basket = fee_orders.new_basket()
        add_booking(basket, row, formats.when(row.start, row.client_timezone))
        amount = priced_basket(basket)[-1]
        order_number = fee_orders.order_number_for(basket)
        minor = to_minor_units(amount, row.currency)
        fee_minor = connect.charge_target_for_site(row.site_id).fee_minor(amount, row.currency) \
            if card.stripe_account else 0
        intent = stripe_call(gateway.create_off_session_intent, minor, row.currency, card.customer_id,
                             card.payment_method_id, {"booking": row.reference, "order_number": order_number,
                                                      "basket": str(basket.id), "series": str(row.series_id)},
                             f"wb-series-intent-{row.pk}-{minor}", card.stripe_account, fee_minor)
        row.deposit_step = series_payments.CHARGING
        row.save(update_fields=["deposit_step", "updated_at"])
        return BookingPayment.objects.create(
            site_id=row.site_id, kind=BookingPayment.Kind.DEPOSIT, booking=row, basket_id=basket.id,
            order_number=order_number, payment_intent_id=intent["id"], stripe_account=card.stripe_account,
            application_fee=from_minor_units(fee_minor, row.currency), amount=amount, currency=row.currency,
            email=row.client_email)


def _refused(payment, message) -> str:
    """The card did not pay: the appointment waits for its own payment link, sent now."""
    text = f"The deposit could not be charged to the card kept for the series: {message} Its payment link was " \
           "emailed to the client."
    with transaction.atomic():
        BookingPayment.objects.filter(pk=payment.pk, state=BookingPayment.State.PENDING).update(
            state=BookingPayment.State.FAILED, problem=text)
        row = Booking.objects.select_for_update().get(pk=payment.booking_id)
        if row.deposit_step == series_payments.CHARGING:
            row.deposit_step = series_payments.RESERVED
            row.save(update_fields=["deposit_step", "updated_at"])
            history.record(row, "deposit_refused", history.BY_SYSTEM, amount=str(payment.amount),
                           currency=payment.currency)
            signals.send_isolated(signals.series_deposit_refused, sender=Booking, booking=row)
    logger.info("Series deposit of booking %s not charged: %s", payment.booking_id, message)
    return "refused"
