"""Keeping a client's card on file with Stripe, with their consent: the words they agree to, then the card.

Two ways in: a booking with a deposit saves the card with the deposit's PaymentIntent (``setup_future_usage``, see
``facade.prepare_payment``); a booking without one goes through a SetupIntent step (``views_cards``). Either way
we keep Stripe's ids, the brand and the last four digits, never card data.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import formats
from ..scheduling.fees import PERCENT, FeePolicy, FeeRule, fee_amount
from ..site_settings import business_currency, business_name, site_settings
from . import connect, gateway
from .card_models import SavedCard
from .handoff import PaymentHandoff, get_payment_handoff

logger = logging.getLogger(__name__)


class CardProblem(Exception):
    """Stripe refused or could not be reached while saving a card; ``message`` is for the client."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def policy_model_for(service):
    """The cancellation policy snippet that applies to ``service`` (its own, else its business's default)."""
    if service.cancellation_policy_id:
        return service.cancellation_policy
    settings_row = site_settings(service.site)
    return settings_row.default_cancellation_policy if settings_row is not None else None


def fee_policy_for(service) -> FeePolicy:
    policy = policy_model_for(service)
    return policy.fee_policy() if policy is not None else FeePolicy()


def _rule_words(rule: FeeRule, price, currency) -> str:
    amount = formats.money(fee_amount(rule, price), currency)
    if rule.kind == PERCENT:
        return _("%(percent)s of the price (%(amount)s)") % {"percent": formats.percent(rule.value), "amount": amount}
    return amount


def consent_sentence(service, price=None, currency=None) -> str:
    """The box the client ticks, naming each fee and how much; "" when the policy has no fee (no box then)."""
    policy = fee_policy_for(service)
    if not policy.any:
        return ""
    price = service.price if price is None else price
    currency = currency or business_currency(service.site)
    parts = []
    # A fee that comes to nothing (a percentage of a free service's price) is not named, nor agreed to.
    if policy.late_cancellation.applies and fee_amount(policy.late_cancellation, price) > 0:
        parts.append(_("a late-cancellation fee of %(amount)s")
                     % {"amount": _rule_words(policy.late_cancellation, price, currency)})
    if policy.no_show.applies and fee_amount(policy.no_show, price) > 0:
        parts.append(_("a no-show fee of %(amount)s") % {"amount": _rule_words(policy.no_show, price, currency)})
    if not parts:
        return ""
    return _("I agree that %(business)s keeps my card on file with Stripe and may charge it %(fees)s, as its "
             "cancellation policy says (less any deposit kept).") % {
        "business": business_name(service.site), "fees": _(" and ").join(parts)}


def offered_consent(service) -> str:
    """The card-on-file sentence a client may agree to when booking ``service`` (the booking form's box, the API's
    ``card_consent``): "" when its policy sets no fee or the payment integration cannot keep cards."""
    handoff = get_payment_handoff()
    if type(handoff).card_setup_url is PaymentHandoff.card_setup_url or not handoff.is_available(service.site):
        return ""
    return consent_sentence(service)


def record_consent(booking, wording: str) -> SavedCard:
    """The client ticked the box: remember the words and when; the card itself follows."""
    return SavedCard.objects.create(site_id=booking.site_id, booking=booking, client_email=booking.client_email,
                                    consent_at=timezone.now(), consent_text=wording)


def pending_card(booking) -> SavedCard | None:
    return booking.saved_cards.filter(state=SavedCard.State.PENDING).order_by("-pk").first()


def usable_card(booking) -> SavedCard | None:
    """The card the client agreed to keep on file for this booking, once Stripe saved it."""
    return booking.saved_cards.filter(state=SavedCard.State.ACTIVE).exclude(payment_method_id="").order_by(
        "-pk").first()


def ensure_customer(card: SavedCard, account: str) -> str:
    """The Stripe Customer the card is saved on (created once; the key makes a retry return the same one)."""
    with transaction.atomic():
        card = SavedCard.objects.select_for_update(of=("self",)).select_related("booking").get(pk=card.pk)
        if card.customer_id:
            return card.customer_id
        booking = card.booking
        customer = _call(gateway.create_customer, booking.client_email, booking.client_name,
                         {"booking": booking.reference, "saved_card": str(card.pk)}, f"wb-customer-{card.pk}",
                         account)
        card.customer_id, card.stripe_account = customer["id"], account
        card.save(update_fields=["customer_id", "stripe_account", "updated_at"])
        return card.customer_id


def start_setup(card: SavedCard):
    """A SetupIntent for a booking without a deposit (its client_secret goes to Stripe.js); reused on reload."""
    account = connect.charge_target(card.booking).account
    customer = ensure_customer(card, account)
    with transaction.atomic():
        card = SavedCard.objects.select_for_update().get(pk=card.pk)
        if card.setup_intent_id:
            return _call(gateway.retrieve_setup_intent, card.setup_intent_id, card.stripe_account)
        intent = _call(gateway.create_setup_intent, customer, {"booking": card.booking.reference,
                                                               "saved_card": str(card.pk)},
                       f"wb-setup-{card.pk}", card.stripe_account)
        card.setup_intent_id = intent["id"]
        card.save(update_fields=["setup_intent_id", "updated_at"])
        return intent


def finish_setup(setup_intent_id: str) -> SavedCard | None:
    """Called by the return page: re-fetch the SetupIntent and keep the card when Stripe saved it."""
    with transaction.atomic():
        card = SavedCard.objects.select_for_update().filter(setup_intent_id=setup_intent_id).first()
        if card is None or card.state == SavedCard.State.ACTIVE:
            return card
        intent = _call(gateway.retrieve_setup_intent, setup_intent_id, card.stripe_account)
        if intent["status"] == "succeeded":
            _activate(card, intent["payment_method"])
        else:
            error = intent["last_setup_error"] if "last_setup_error" in intent else None
            card.problem = (error["message"] if error and "message" in error else "") or _(
                "The card was not saved.")
            card.save(update_fields=["problem", "updated_at"])
        return card


def saved_by_payment(payment, intent) -> None:
    """After a deposit with ``setup_future_usage`` went through: its card is the one on file (same transaction)."""
    if payment.booking_id is None or "customer" not in intent or not intent["customer"]:
        return
    card = (SavedCard.objects.select_for_update().filter(booking_id=payment.booking_id, state=SavedCard.State.PENDING,
                                                         customer_id=intent["customer"]).first())
    if card is None or not intent["payment_method"]:
        return
    try:
        _activate(card, intent["payment_method"])
    except CardProblem as problem:  # the booking is paid either way; staff see the card is not on file
        logger.warning("Card of booking %s not kept on file: %s", payment.booking_id, problem.message)


def _activate(card, payment_method_id):
    method = _call(gateway.retrieve_payment_method, payment_method_id, card.stripe_account)
    details = method["card"] if "card" in method else None
    card.payment_method_id = payment_method_id
    card.brand = ((details["brand"] if details else "") or "")[:20]
    card.last4 = ((details["last4"] if details else "") or "")[:4]
    card.state, card.problem = SavedCard.State.ACTIVE, ""
    card.save(update_fields=["payment_method_id", "brand", "last4", "state", "problem", "updated_at"])


def _call(function, *args):
    stripe_error, _card_error, _sig = gateway.errors()
    try:
        return function(*args)
    except stripe_error as error:
        logger.warning("Stripe call %s failed: %s", function.__name__, error)
        message = getattr(error, "user_message", None) or _(
            "The payment service could not save your card right now. Please try again in a minute.")
        raise CardProblem(message) from error
