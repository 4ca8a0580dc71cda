"""The client's pages for a card on file: saving it (a booking without a deposit) and confirming a fee their bank
wants them to authenticate. Both use Stripe.js; no card data passes through our site."""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .. import formats
from ..bookings.links import booking_for_link
from ..businesses import site_for_request
from ..conf import booking_settings
from . import cards, fees, gateway
from .card_models import FeeCharge


def _stripe_context(request, client_secret, account, return_url):
    return {"client_secret": client_secret, "stripe_account": account, "return_url": return_url,
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": getattr(settings, "STRIPE_JS_URL", "https://js.stripe.com/v3/"),
            "booking_base_template": booking_settings.BASE_TEMPLATE}


_booking = booking_for_link


@require_GET
def save_card(request, reference, token):
    """The SetupIntent step after a booking without a deposit whose client agreed to keep a card on file."""
    booking = _booking(request, reference, token)
    booked_url = reverse("wagtail_booking:booked", args=[booking.reference, token])
    card = cards.pending_card(booking)
    if card is None:
        return HttpResponseRedirect(booked_url)
    context = {"booking": booking, "card": card, "booked_url": booked_url}
    try:
        intent = cards.start_setup(card)
    except cards.CardProblem as problem:
        context.update(_stripe_context(request, "", "", ""), problem=problem.message)
        return render(request, "wagtail_booking/checkout/save_card.html", context, status=503)
    done = request.build_absolute_uri(reverse("wagtail_booking:card-saved", args=[booking.reference, token]))
    context.update(_stripe_context(request, intent["client_secret"], card.stripe_account, done))
    return render(request, "wagtail_booking/checkout/save_card.html", context)


@require_GET
def card_saved(request, reference, token):
    """Where Stripe.js sends the client back: keep the card if Stripe saved it, else say what happened."""
    booking = _booking(request, reference, token)
    setup_intent = request.GET.get("setup_intent", "")
    try:
        card = cards.finish_setup(setup_intent) if setup_intent else None
    except cards.CardProblem as problem:
        card, message = None, problem.message
    else:
        message = card.problem if card is not None and card.state != card.State.ACTIVE else ""
    if card is None or card.booking_id != booking.pk or card.state != card.State.ACTIVE:
        context = {"booking": booking, "problem": message or "—", "retry_url": reverse(
            "wagtail_booking:save-card", args=[booking.reference, token]),
            "booked_url": reverse("wagtail_booking:booked", args=[booking.reference, token]),
            **_stripe_context(request, "", "", "")}
        return render(request, "wagtail_booking/checkout/save_card.html", context, status=400)
    return HttpResponseRedirect(reverse("wagtail_booking:booked", args=[booking.reference, token]) + "?card=saved")


def _fee(request, fee_id, token) -> FeeCharge:
    """The fee the signed link names, on its own business's site only."""
    fee = FeeCharge.objects.select_related("booking", "saved_card", "payment", "booking__service").filter(
        pk=fee_id, site=site_for_request(request)).first()
    if fee is None or not fees.check_authentication_token(fee, token):
        raise Http404("No payment matches this link.")
    return fee


@require_GET
def authenticate_fee(request, fee_id, token):
    """The link in the client's email: confirm the fee with their bank, on the same PaymentIntent."""
    fee = _fee(request, fee_id, token)
    payment = fee.payment
    context = {"fee": fee, "booking": fee.booking, "amount": formats.money(fee.amount, fee.currency),
               "paid": payment.state == payment.State.CAPTURED}
    if not context["paid"]:
        try:
            intent = gateway.retrieve(payment.payment_intent_id, payment.stripe_account)
        except gateway.errors()[0]:
            context["problem"] = True
            intent = None
        if intent is not None and intent["status"] == "succeeded":
            fees.finalise(payment.payment_intent_id)
            context["paid"] = True
        elif intent is not None:
            done = request.build_absolute_uri(reverse("wagtail_booking:fee-authenticated", args=[fee.pk, token]))
            context.update(_stripe_context(request, intent["client_secret"], payment.stripe_account, done),
                           payment_method=fee.saved_card.payment_method_id)
    context.setdefault("booking_base_template", booking_settings.BASE_TEMPLATE)
    return render(request, "wagtail_booking/checkout/fee_authenticate.html", context)


@require_GET
def fee_authenticated(request, fee_id, token):
    fee = _fee(request, fee_id, token)
    try:
        outcome = fees.finalise(fee.payment.payment_intent_id)
    except fees.PaymentProblem:
        outcome = None
    paid = outcome is not None and outcome.kind in ("paid", "already_paid")
    return render(request, "wagtail_booking/checkout/fee_authenticate.html", {
        "fee": fee, "booking": fee.booking, "amount": formats.money(fee.amount, fee.currency), "paid": paid,
        "failed": not paid, "retry_url": reverse("wagtail_booking:fee-authenticate", args=[fee.pk, token]),
        "booking_base_template": booking_settings.BASE_TEMPLATE}, status=200 if paid else 400)
