"""Entry into the Oscar checkout for a held booking, and the Stripe webhook."""

import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from oscar.core.loading import get_class

from ..bookings.intake import is_reference
from ..bookings.models import Booking
from ..bookings.tokens import check_token
from . import facade, gateway
from .catalogue import add_booking
from .models import BookingPayment, ProcessedStripeEvent

logger = logging.getLogger(__name__)
CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")

HANDLED_EVENTS = {"payment_intent.succeeded", "payment_intent.amount_capturable_updated",
                  "payment_intent.payment_failed", "payment_intent.canceled", "charge.refunded"}


@require_GET
def pay(request, reference, token):
    """Put the client's held booking into their basket and start the checkout (guest email already known)."""
    booking = (Booking.objects.select_related("service", "provider").filter(reference=reference.upper()).first()
               if is_reference(reference) else None)
    if booking is None or not check_token(booking, token):
        raise Http404("No booking matches this link.")
    if booking.status != Booking.Status.HELD or not booking.is_live:
        return render(request, "wagtail_booking/hold_gone.html", {"booking": booking}, status=410)
    local = booking.start.astimezone(ZoneInfo(booking.client_timezone))
    add_booking(request.basket, booking, f"{local:%a %d %b %Y %H:%M} ({booking.client_timezone})")
    CheckoutSessionData(request).set_guest_email(booking.client_email)
    held_until = booking.hold_expires_at.astimezone(local.tzinfo)
    messages.info(request, f"Your time is held until {held_until:%H:%M} ({booking.client_timezone}). "
                           "Pay the deposit to confirm it.")
    return HttpResponseRedirect(reverse("basket:summary"))


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe events are triggers, not truth: verify, dedupe on the event id, re-fetch the PaymentIntent."""
    _, _, signature_error = gateway.errors()
    if not getattr(settings, "STRIPE_WEBHOOK_SECRET", ""):
        return HttpResponse("Webhooks are not configured (STRIPE_WEBHOOK_SECRET).", status=400,
                            content_type="text/plain")
    try:
        event = gateway.construct_event(request.body, request.headers.get("Stripe-Signature", ""))
    except (ValueError, signature_error):
        return HttpResponse("Invalid payload or signature.", status=400, content_type="text/plain")
    if event["type"] not in HANDLED_EVENTS:
        return HttpResponse("Ignored.", content_type="text/plain")
    if ProcessedStripeEvent.objects.filter(event_id=event["id"]).exists():
        return HttpResponse("Already processed.", content_type="text/plain")
    try:
        with transaction.atomic():
            ProcessedStripeEvent.objects.create(event_id=event["id"], type=event["type"])
            _handle(event)
    except IntegrityError:
        if ProcessedStripeEvent.objects.filter(event_id=event["id"]).exists():
            return HttpResponse("Already processed.", content_type="text/plain")  # a concurrent delivery won
        raise
    except facade.PaymentProblem as problem:
        if not problem.transient:
            # Retrying cannot help (Stripe refused the request): log it for the owner and stop the redeliveries.
            logger.error("Webhook %s cannot be handled: %s", event["id"], problem.message)
            return HttpResponse("Cannot be handled.", content_type="text/plain")
        # Stripe retries a failed delivery; the event is not marked processed.
        logger.warning("Webhook %s could not be handled yet: %s", event["id"], problem.message)
        return HttpResponse("Try again later.", status=503, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")


def _handle(event):
    obj = event["data"]["object"]
    intent_id = obj["payment_intent"] if event["type"].startswith("charge.") else obj["id"]
    payment = BookingPayment.objects.filter(payment_intent_id=intent_id).first()
    if payment is None:
        logger.info("Stripe event %s for an intent we did not create (%s)", event["id"], intent_id)
        return
    if event["type"] == "charge.refunded":
        facade.record_outside_refunds(payment)  # ours are recorded when made; this catches Dashboard refunds
        return
    facade.finalise(intent_id)
