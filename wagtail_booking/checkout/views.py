"""Entry into the Oscar checkout for a held booking, and the Stripe webhooks (platform and Connect)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from oscar.core.loading import get_class

from .. import formats
from ..bookings.links import booking_for_link
from ..bookings.models import Booking
from ..conf import booking_settings
from . import connect, facade, fees, gateway, journey
from .catalogue import MixedCurrencies, add_booking, is_booking_only
from .models import BookingPayment, ProcessedStripeEvent
from .oscar_partner.strategy import SESSION_CURRENCY

logger = logging.getLogger(__name__)
CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")

HANDLED_EVENTS = {"payment_intent.succeeded", "payment_intent.amount_capturable_updated",
                  "payment_intent.payment_failed", "payment_intent.canceled", "charge.refunded"}
CONNECT_EVENTS = HANDLED_EVENTS | {"account.updated"}


@require_GET
def pay(request, reference, token):
    """Put the client's held booking into their basket and start the checkout (guest email already known).

    A basket of appointments only goes on to the payment page (Oscar's checkout skips its other steps, see
    oscar_checkout/views.py); a basket that also holds shop products shows Oscar's basket, as any order does.
    """
    booking = booking_for_link(request, reference, token)
    journey.remember_booking_page(request)
    if booking.status != Booking.Status.HELD or not booking.is_live:
        return render(request, "wagtail_booking/hold_gone.html",
                      {"booking": booking, "booking_page": journey.booking_page(request),
                       "booking_base_template": booking_settings.BASE_TEMPLATE}, status=410)
    try:
        add_booking(request.basket, booking, formats.when(booking.start, booking.client_timezone))
    except MixedCurrencies as mixed:
        messages.error(request, _("Your basket is in %(basket)s and this booking is in %(booking)s. A basket is paid "
                                  "in one currency: pay for or empty your basket, then open this link again.")
                       % {"basket": mixed.basket_currency, "booking": mixed.booking_currency})
        return HttpResponseRedirect(reverse("basket:summary"))
    request.session[SESSION_CURRENCY] = booking.currency
    CheckoutSessionData(request).set_guest_email(booking.client_email)
    if is_booking_only(request.basket):
        return HttpResponseRedirect(reverse("checkout:index"))
    messages.info(request, _("Your time is held until %(time)s. Pay the deposit to confirm it.")
                  % {"time": formats.when(booking.hold_expires_at, booking.client_timezone)})
    return HttpResponseRedirect(reverse("basket:summary"))


class MalformedEvent(ValueError):
    """A correctly signed event that lacks what we act on; acknowledged (and logged) so Stripe stops resending it."""


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """The platform account's events. Stripe events are triggers, not truth: verify, dedupe, re-fetch."""
    return _receive(request, "STRIPE_WEBHOOK_SECRET", connect_events=False)


@csrf_exempt
@require_POST
def stripe_connect_webhook(request):
    """Events of the businesses' connected accounts (a Connect endpoint); each names its ``account``."""
    return _receive(request, "STRIPE_CONNECT_WEBHOOK_SECRET", connect_events=True)


def _receive(request, secret_name, connect_events):
    _, _, signature_error = gateway.errors()
    secret = getattr(settings, secret_name, "")
    if not secret:
        return HttpResponse(f"Webhooks are not configured ({secret_name}).", status=400, content_type="text/plain")
    try:
        event = gateway.construct_event(request.body, request.headers.get("Stripe-Signature", ""), secret)
    except (ValueError, signature_error):
        return HttpResponse("Invalid payload or signature.", status=400, content_type="text/plain")
    except (AttributeError, TypeError):  # the SDK checks the signature first: this is signed JSON that is no object
        logger.warning("Ignored a signed Stripe webhook whose body is not a JSON object")
        return HttpResponse("Ignored: not an event.", content_type="text/plain")
    try:
        event_type = _text(event, "type", 100)
        if event_type not in (CONNECT_EVENTS if connect_events else HANDLED_EVENTS):
            return HttpResponse("Ignored.", content_type="text/plain")
        event_id = _text(event, "id", 255)
        # Connect events say which account they happened on; the platform's own carry none.
        account = _text(event, "account", 255) if connect_events else ""
        object_id = account if event_type == "account.updated" else _intent_id(event, event_type)
    except MalformedEvent as problem:
        logger.warning("Ignored a signed Stripe event (id %.80r) that cannot be read: %s", _lookup(event, "id"),
                       problem)
        return HttpResponse(f"Ignored: {problem}", content_type="text/plain")
    if ProcessedStripeEvent.objects.filter(event_id=event_id).exists():
        return HttpResponse("Already processed.", content_type="text/plain")
    try:
        with transaction.atomic():
            ProcessedStripeEvent.objects.create(event_id=event_id, type=event_type)
            _handle(event_id, event_type, object_id, account)
    except IntegrityError:
        if ProcessedStripeEvent.objects.filter(event_id=event_id).exists():
            return HttpResponse("Already processed.", content_type="text/plain")  # a concurrent delivery won
        raise
    except (facade.PaymentProblem, connect.ConnectProblem) as problem:
        message = problem.message
        if not problem.transient:
            # Retrying cannot help (Stripe refused the request): log it for the owner and stop the redeliveries.
            logger.error("Webhook %s cannot be handled: %s", event_id, message)
            return HttpResponse("Cannot be handled.", content_type="text/plain")
        # Stripe retries a failed delivery; the event is not marked processed.
        logger.warning("Webhook %s could not be handled yet: %s", event_id, message)
        return HttpResponse("Try again later.", status=503, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")


def _lookup(container, key):
    try:
        return container[key]
    except (KeyError, TypeError, IndexError):
        return None


def _text(container, key, max_length):
    """A non-empty string that fits its column, or :class:`MalformedEvent`."""
    value = _lookup(container, key)
    if not isinstance(value, str) or not value or len(value) > max_length or "\x00" in value:
        raise MalformedEvent(f"no usable {key!r}")
    return value


def _intent_id(event, event_type):
    obj = _lookup(_lookup(event, "data"), "object")
    return _text(obj, "payment_intent" if event_type.startswith("charge.") else "id", 255)


def _handle(event_id, event_type, object_id, account):
    if event_type == "account.updated":
        if connect.refresh(object_id) is None:
            logger.info("Stripe event %s for an account we did not connect (%s)", event_id, object_id)
        return
    intent_id = object_id
    # Only a payment made on the account the event comes from: another account cannot touch ours.
    payment = BookingPayment.objects.filter(payment_intent_id=intent_id, stripe_account=account).first()
    if payment is None:
        logger.info("Stripe event %s for an intent we did not create (%s on %s)", event_id, intent_id,
                    account or "the platform")
        return
    if payment.kind == BookingPayment.Kind.FEE and event_type != "charge.refunded":
        try:
            fees.finalise(intent_id)  # a fee the client confirmed with their bank (or one staff charged)
        except fees.PaymentProblem as problem:
            raise facade.PaymentProblem(problem.message, problem.transient) from problem
        return
    if event_type == "charge.refunded":
        facade.record_outside_refunds(payment)  # ours are recorded when made; this catches Dashboard refunds
        return
    facade.finalise(intent_id)
