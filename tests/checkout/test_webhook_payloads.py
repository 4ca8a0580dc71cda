"""Correctly signed Stripe events that lack what we act on: acknowledged and logged, never a 500 (a 5xx makes
Stripe redeliver the event for days)."""

import json
import logging

import pytest
from fakes.stripe_server import sign

from tests.checkout.conftest import WEBHOOK_SECRET, far
from wagtail_booking.checkout.models import ProcessedStripeEvent

pytestmark = pytest.mark.django_db


def post_signed(client, payload):
    body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    return client.post("/booking/stripe/webhook/", data=body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign(body, WEBHOOK_SECRET))


@pytest.mark.parametrize("payload", [
    {"id": "evt_1", "data": {"object": {"id": "pi_1"}}},  # no type
    {"id": "evt_2", "type": "payment_intent.succeeded", "data": {"object": {}}},  # no data.object.id
    {"id": "evt_3", "type": "payment_intent.succeeded", "data": {"object": "pi_3"}},
    {"id": "evt_4", "type": "payment_intent.succeeded"},  # no data at all
    {"id": "evt_5", "type": "charge.refunded", "data": {"object": {"id": "ch_5", "payment_intent": None}}},
    {"id": "evt_6", "type": {"nested": "object"}, "data": {"object": {"id": "pi_6"}}},
    {"id": "evt_7", "type": "payment_intent.succeeded", "data": {"object": {"id": 7}}},
    {"id": "evt_8", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_\u0000"}}},
    {"id": "e" * 300, "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_9"}}},
    {"type": "payment_intent.succeeded", "data": {"object": {"id": "pi_10"}}},  # no event id
    "[]", "null", '"payment_intent.succeeded"',
])
def test_signed_but_malformed_events_are_acknowledged_and_logged(client, stripe_fake, payload, caplog):
    with caplog.at_level(logging.WARNING, logger="wagtail_booking.checkout.views"):
        response = post_signed(client, payload)
    assert response.status_code == 200
    assert response.content.decode().startswith("Ignored")
    assert "Ignored a signed Stripe" in caplog.text
    assert not ProcessedStripeEvent.objects.exists()


def test_unsigned_malformed_events_are_still_refused(client, stripe_fake):
    response = client.post("/booking/stripe/webhook/", data=b"{}", content_type="application/json",
                           HTTP_STRIPE_SIGNATURE="t=1,v1=00")
    assert response.status_code == 400


def test_a_good_event_after_malformed_ones_still_confirms_the_booking(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    checkout.pay()
    succeeded = next(e for e in stripe_fake.events if e["type"] == "payment_intent.succeeded")
    assert post_signed(checkout.client, {**succeeded, "data": {"object": {}}}).status_code == 200
    assert checkout.payment.booking.status == "held"
    response = post_signed(checkout.client, succeeded)
    assert response.status_code == 200 and response.content == b"OK"
    assert checkout.payment.booking.status == "confirmed"
