"""Packages sold through the checkout with the real stripe-python against the loopback fake."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.checkout.conftest import massage, stripe_client, stripe_fake, stripe_server  # noqa: F401
from wagtail_booking.packages.models import CreditPurchase, Package


@pytest.fixture
def three_pack(massage):  # noqa: F811
    """Three massages for $240.00, valid six months."""
    package = Package.objects.create(name="Three massages", sessions=3, price=Decimal("240.00"), validity_months=6)
    package.services.add(massage)
    return package


def buy_package(stripe_client, package, email="pat@example.com", client=None):  # noqa: F811
    """The package page, the guest's email, the payment page, the card, back to the site. Returns the client, the
    page it lands on and the code from the purchase email."""
    client = client or Client()
    response = client.post(reverse("wagtail_booking:package", args=[package.pk]), {"email": email})
    assert response.status_code == 302 and response["Location"] == reverse("checkout:index"), response.content[:500]
    page = client.get(response["Location"], follow=True)
    assert page.request["PATH_INFO"] == reverse("checkout:payment-details"), page.redirect_chain
    intent_id = page.context["payment"].payment_intent_id
    stripe_client.v1.payment_intents.confirm(intent_id, params={"payment_method": "pm_card_visa",
                                                                "return_url": "http://testserver/return"})
    landed = client.get(reverse("checkout:stripe-return"), {"payment_intent": intent_id}, follow=True)
    email_body = next(m.body for m in reversed(mail.outbox) if m.to == [email] and package.name in m.subject)
    code = re.search(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", email_body).group(0)
    return client, landed, code


def purchase_of(email="pat@example.com"):
    return CreditPurchase.objects.get(client_email=email)
