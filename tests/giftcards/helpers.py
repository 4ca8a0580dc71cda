"""Walk a buyer through the gift card page and the payment page, like a browser."""

import re

from django.core import mail
from django.urls import reverse

from tests.checkout.conftest import Checkout

BUY = "/booking/gift-cards/buy/"


def buy_card(client, stripe_client, amount="25.50", **extra):
    """Buy a card with a test card; returns the code from the recipient's email."""
    data = {"amount": amount, "from_name": "Sam", "to_name": "Alex", "recipient_email": "alex@example.com",
            "email": "sam@example.com", "message": "Happy birthday!", **extra}
    response = client.post(BUY, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response["Location"], follow=True)
    assert page.request["PATH_INFO"] == reverse("checkout:payment-details"), page.redirect_chain
    payment = page.context["payment"]
    stripe_client.v1.payment_intents.confirm(payment.payment_intent_id, params={
        "payment_method": "pm_card_visa", "return_url": "http://testserver/return"})
    sent = len(mail.outbox)
    client.get(reverse("checkout:stripe-return"), {"payment_intent": payment.payment_intent_id})
    assert len(mail.outbox) == sent + 1
    return re.search(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", mail.outbox[-1].body).group(0)


def apply_code(flow: Checkout, code):
    """On the payment page: type the code, come back to the page (with the amount left for the card)."""
    response = flow.client.post(reverse("wagtail_booking:giftcard-apply"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("checkout:payment-details")
    flow.page = flow.client.get(response["Location"])
    assert flow.page.status_code == 200
    flow.alerts = re.findall(r'role="(?:alert|status)">([^<]*)<', flow.page.content.decode())
    return flow.page
