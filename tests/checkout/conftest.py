"""The real stripe-python talking to the loopback Stripe fake; a paid service; helpers that walk the checkout."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from fakes.stripe_server import FakeStripe, sign

from tests.factories.booking import ServiceFactory
from tests.helpers import ny
from wagtail_booking.checkout.models import BookingPayment

WEBHOOK_SECRET = "whsec_test_secret"
CONNECT_WEBHOOK_SECRET = "whsec_test_connect_secret"


@pytest.fixture(scope="session")
def stripe_server():
    fake = FakeStripe(webhook_secret=WEBHOOK_SECRET, connect_webhook_secret=CONNECT_WEBHOOK_SECRET,
                      auto_deliver=False)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_fake(stripe_server, settings):
    stripe_server.reset()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = stripe_server.publishable_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_server.url
    settings.STRIPE_JS_URL = f"{stripe_server.url}/v3/"
    return stripe_server


@pytest.fixture
def stripe_client(stripe_fake):
    import stripe

    return stripe.StripeClient("sk_test_fake", base_addresses={"api": stripe_fake.url}, max_network_retries=0)


@pytest.fixture
def massage(provider, stripe_fake):
    """$90, 20% deposit ($18.00), 60 minutes."""
    return ServiceFactory(name="Massage", providers=[provider], duration_minutes=60, price=Decimal("90.00"),
                          deposit_kind="percent", deposit_value=Decimal("20"))


class Checkout:
    """Walks one client through hold -> basket -> guest email -> payment page, like the browser would."""

    def __init__(self, client, stripe_client, service):
        self.client, self.stripe, self.service = client, stripe_client, service

    def hold(self, start, email="pat@example.com", seats=1):
        response = self.client.post("/booking/api/holds", data=json.dumps({
            "service": self.service.pk, "start": start.isoformat(), "name": "Pat Payer", "email": email,
            "timezone": "America/New_York", "seats": seats}), content_type="application/json")
        assert response.status_code == 201, response.content
        self.hold_body = response.json()
        assert self.hold_body["next_step"] == "payment"
        return self.hold_body

    def open_payment_page(self, voucher=None):
        """The hand-off link goes on to the payment page: no basket, no email asked again, no shipping steps."""
        response = self.client.get(self.hold_body["checkout_url"])
        assert response.status_code == 302 and response["Location"] == reverse("checkout:index")
        if voucher:
            self.client.post(reverse("basket:vouchers-add"), {"code": voucher})
        response = self.client.get(response["Location"], follow=True)
        assert response.status_code == 200, response.content[:2000]
        assert response.request["PATH_INFO"] == reverse("checkout:payment-details"), response.redirect_chain
        self.page = response
        return response

    @property
    def payment(self):
        return BookingPayment.objects.get(payment_intent_id=self.page.context["payment"].payment_intent_id)

    def pay(self, payment_method="pm_card_visa"):
        """What Stripe.js does with the card, then the browser's return to our site."""
        intent = self.stripe.v1.payment_intents.confirm(
            self.payment.payment_intent_id, params={"payment_method": payment_method,
                                                    "return_url": "http://testserver/return"})
        return intent

    def come_back(self):
        return self.client.get(reverse("checkout:stripe-return"), {"payment_intent": self.payment.payment_intent_id})

    def book_and_pay(self, start):
        """The whole happy path: hold, payment page, card, back to our site."""
        self.hold(start)
        self.open_payment_page()
        self.pay()
        return self.come_back()


def make_voucher(code, percent, max_uses=None):
    """An Oscar voucher taking ``percent`` off everything (the kind of promo code a business hands out)."""
    from oscar.test.factories import (
        BenefitFactory,
        ConditionalOfferFactory,
        ConditionFactory,
        RangeFactory,
        VoucherFactory,
    )

    everything = RangeFactory(includes_all_products=True)
    offer = ConditionalOfferFactory(
        offer_type="Voucher", benefit=BenefitFactory(type="Percentage", value=percent, range=everything),
        condition=ConditionFactory(type="Count", value=1, range=everything), max_global_applications=max_uses)
    # VoucherFactory's default validity is computed from the clock when Oscar's module is first imported, which
    # is whatever some earlier test pinned; give it one around this test's "now".
    voucher = VoucherFactory(code=code, start_datetime=timezone.now() - timedelta(days=1),
                             end_datetime=timezone.now() + timedelta(days=60))
    voucher.offers.add(offer)
    return voucher


@pytest.fixture
def checkout(client, stripe_client, massage):
    return Checkout(client, stripe_client, massage)


def deliver(client, fake, event_type=None, event=None):
    """POST a fake Stripe event to the webhook with a valid signature; returns the response."""
    event = event or next(e for e in reversed(fake.events) if e["type"] == event_type)
    payload = json.dumps(event).encode()
    return client.post("/booking/stripe/webhook/", data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign(payload, WEBHOOK_SECRET))


def far(monday, hour=10):
    """A start beyond the card-authorisation window: captured at once."""
    return ny(monday + timedelta(days=21), hour)


def paid_booking(stripe_client, service, start, email, voucher=None):
    """A client books ``start`` and pays the deposit with a test card (and ``voucher``); returns the booking."""
    from django.test import Client

    from wagtail_booking.bookings.models import Booking

    flow = Checkout(Client(), stripe_client, service)
    flow.hold(start, email=email)
    flow.open_payment_page(voucher=voucher)
    flow.pay()
    flow.come_back()
    return Booking.objects.get(reference=flow.hold_body["id"])
