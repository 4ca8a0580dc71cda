"""The loopback Stripe fake (sandbox/fakes/stripe_server.py), driven by the real stripe-python SDK over HTTP.

No database: these tests only talk to the fake (and, for webhooks, to a tiny receiver in this file). The last
test drives the fake Stripe.js in headless Chromium when Chromium and Playwright are available.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import stripe
from fakes.stripe_server import API_VERSION, FakeStripe, parse_form, sign

from tests.helpers import wait_until

WEBHOOK_SECRET = "whsec_test_fake"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPHandler)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def http(method, url, data=None, headers=None, opener=NO_PROXY):
    """(status, headers, body bytes) of a plain HTTP request; form-encodes a dict ``data``."""
    body = urlencode(data).encode() if isinstance(data, dict) else data
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def create_pi(client, **params):
    return client.v1.payment_intents.create(params={"amount": 5000, "currency": "usd", **params})


# --- parsing and signing ----------------------------------------------------------------------------------------


def test_parse_form_bracket_notation():
    pairs = [("amount", "5000"), ("metadata[booking]", "42"), ("metadata[hold]", "h1"),
             ("automatic_payment_methods[enabled]", "true"), ("expand[]", "latest_charge"),
             ("expand[]", "payment_method"), ("items[0][price]", "p1"), ("items[1][price]", "p2"),
             ("payment_method_data[card][number]", "4242424242424242")]
    assert parse_form(pairs) == {
        "amount": "5000",
        "metadata": {"booking": "42", "hold": "h1"},
        "automatic_payment_methods": {"enabled": "true"},
        "expand": ["latest_charge", "payment_method"],
        "items": [{"price": "p1"}, {"price": "p2"}],
        "payment_method_data": {"card": {"number": "4242424242424242"}},
    }


def test_sign_matches_stripe_python():
    payload = b'{"id": "evt_1", "object": "event"}'
    header = sign(payload, WEBHOOK_SECRET, timestamp=1700000000)
    assert header == stripe.WebhookSignature.generate_signature_header(payload.decode(), WEBHOOK_SECRET,
                                                                       timestamp=1700000000)
    stripe.WebhookSignature.verify_header(payload, sign(payload, WEBHOOK_SECRET), WEBHOOK_SECRET, tolerance=300)


# --- PaymentIntents -------------------------------------------------------------------------------------------


def test_create_over_plain_http_returns_a_payment_intent(fake, client):
    pi = client.v1.payment_intents.create(
        params={"amount": 5000, "currency": "USD", "metadata": {"booking": "42"}, "description": "Deposit",
                "receipt_email": "ann@example.com", "automatic_payment_methods": {"enabled": True}},
        options={"idempotency_key": "booking-42-5000"})
    assert isinstance(pi, stripe.PaymentIntent)
    assert pi.id.startswith("pi_")
    assert pi["object"] == "payment_intent"
    assert (pi.amount, pi.currency, pi.status, pi.capture_method) == (5000, "usd", "requires_payment_method",
                                                                       "automatic")
    assert pi.client_secret.startswith(pi.id + "_secret_")
    assert (pi.amount_capturable, pi.amount_received, pi.latest_charge, pi.last_payment_error,
            pi.next_action, pi.livemode) == (0, 0, None, None, None, False)
    assert pi.metadata.to_dict() == {"booking": "42"}
    assert pi.automatic_payment_methods["enabled"] is True
    assert (pi.description, pi.receipt_email) == ("Deposit", "ann@example.com")
    assert fake.payment_intents[pi.id]["metadata"] == {"booking": "42"}
    method, path, params, key = fake.requests[-1]
    assert (method, path, key) == ("POST", "/v1/payment_intents", "booking-42-5000")
    assert params["metadata"] == {"booking": "42"} and params["amount"] == "5000"

    again = client.v1.payment_intents.retrieve(pi.id)
    assert again.id == pi.id and again.status == "requires_payment_method"


@pytest.mark.parametrize("params, param", [
    ({"currency": "usd"}, "amount"), ({"amount": 0, "currency": "usd"}, "amount"), ({"amount": 100}, "currency")])
def test_create_validates(client, params, param):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.payment_intents.create(params=params)
    assert exc.value.param == param
    assert exc.value.http_status == 400


def test_unknown_payment_intent_is_404(client):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.payment_intents.retrieve("pi_missing")
    assert exc.value.http_status == 404 and exc.value.code == "resource_missing"


def test_update_before_payment(fake, client):
    pi = create_pi(client, metadata={"booking": "1", "drop": "x"})
    pi = client.v1.payment_intents.update(pi.id, params={"amount": 7000, "description": "Bigger",
                                                         "metadata": {"hold": "h9", "drop": ""}})
    assert pi.amount == 7000 and pi.description == "Bigger"
    assert pi.metadata.to_dict() == {"booking": "1", "hold": "h9"}


def test_confirm_success_automatic_capture(fake, client):
    pi = create_pi(client)
    pi = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa",
                                                          "expand": ["latest_charge"]})
    assert pi.status == "succeeded"
    assert pi.amount_received == 5000
    charge = pi.latest_charge
    assert charge.id.startswith("ch_")
    assert (charge.amount, charge.amount_captured, charge.amount_refunded, charge.payment_intent,
            charge.captured) == (5000, 5000, 0, pi.id, True)
    assert fake.charges[charge.id]["payment_intent"] == pi.id
    assert fake.event_types() == ["payment_intent.succeeded"]
    # An amount can no longer change; metadata can (as at Stripe).
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.update(pi.id, params={"amount": 1})
    assert client.v1.payment_intents.update(pi.id, params={"metadata": {"k": "v"}}).metadata["k"] == "v"


def test_confirm_with_card_number(client):
    pi = create_pi(client)
    pi = client.v1.payment_intents.confirm(pi.id, params={
        "payment_method_data": {"type": "card", "card": {"number": "4242 4242 4242 4242", "exp_month": 12,
                                                         "exp_year": 2034, "cvc": "123"}}})
    assert pi.status == "succeeded"
    assert pi.payment_method.startswith("pm_")


def test_create_and_confirm_in_one_call(client):
    pi = create_pi(client, payment_method="pm_card_visa", confirm=True)
    assert pi.status == "succeeded"


def test_manual_capture_then_capture(fake, client):
    pi = create_pi(client, capture_method="manual")
    pi = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert (pi.status, pi.amount_capturable, pi.amount_received) == ("requires_capture", 5000, 0)
    assert fake.charges[pi.latest_charge]["captured"] is False

    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 6000})
    assert exc.value.param == "amount_to_capture"

    pi = client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 3000})
    assert (pi.status, pi.amount_received, pi.amount_capturable) == ("succeeded", 3000, 0)
    charge = fake.charges[pi.latest_charge]
    assert (charge["amount_captured"], charge["captured"]) == (3000, True)
    assert fake.event_types() == ["payment_intent.amount_capturable_updated", "payment_intent.succeeded"]

    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.payment_intents.capture(pi.id)
    assert exc.value.code == "payment_intent_unexpected_state"


def test_decline_raises_card_error(fake, client):
    pi = create_pi(client)
    with pytest.raises(stripe.CardError) as exc:
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_chargeDeclined"})
    err = exc.value
    assert (err.http_status, err.code, err.error.decline_code) == (402, "card_declined", "generic_decline")
    assert err.user_message == "Your card was declined."
    assert err.error.payment_intent.id == pi.id
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error.code == "card_declined"
    assert pi.last_payment_error.decline_code == "generic_decline"
    assert pi.last_payment_error.message == "Your card was declined."
    assert pi.last_payment_error.type == "card_error"
    assert fake.event_types() == ["payment_intent.payment_failed"]
    # The customer can try another card.
    assert client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"}).status == "succeeded"


def test_decline_by_card_number(client):
    pi = create_pi(client)
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.confirm(pi.id, params={
            "payment_method_data": {"type": "card", "card": {"number": "4000000000000002"}}})


@pytest.mark.parametrize("card", ["4000002500003155", "4000000000003220"])
def test_3ds_complete_redirects_to_return_url(fake, client, card):
    pi = create_pi(client, capture_method="manual")
    return_url = "http://shop.test/checkout/return/?step=pay"
    pi = client.v1.payment_intents.confirm(pi.id, params={
        "payment_method_data": {"type": "card", "card": {"number": card}}, "return_url": return_url})
    assert pi.status == "requires_action"
    assert pi.next_action.type == "redirect_to_url"
    url = pi.next_action.redirect_to_url.url
    assert url.startswith(f"{fake.url}/3ds/{pi.id}?return_url=")
    assert pi.next_action.redirect_to_url.return_url == return_url

    status, headers, body = http("GET", url)
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<h1>Authenticate this payment</h1>" in page
    assert ">Complete authentication</button>" in page and ">Fail authentication</button>" in page
    assert f'action="/3ds/{pi.id}"' in page

    status, headers, _ = http("POST", f"{fake.url}/3ds/{pi.id}", {"action": "complete"}, opener=NO_REDIRECT)
    assert status == 303
    location = urlsplit(headers["Location"])
    assert location.netloc == "shop.test" and location.path == "/checkout/return/"
    query = parse_qs(location.query)
    assert query == {"step": ["pay"], "payment_intent": [pi.id], "payment_intent_client_secret": [pi.client_secret],
                     "redirect_status": ["succeeded"]}
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert (pi.status, pi.amount_capturable) == ("requires_capture", 5000)
    assert fake.event_types() == ["payment_intent.amount_capturable_updated"]


def test_3ds_failure(fake, client):
    pi = create_pi(client)
    client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_authenticationRequired",
                                                     "return_url": "http://shop.test/return"})
    status, headers, _ = http("POST", f"{fake.url}/3ds/{pi.id}", {"action": "fail"}, opener=NO_REDIRECT)
    assert status == 303
    assert parse_qs(urlsplit(headers["Location"]).query)["redirect_status"] == ["failed"]
    pi = client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error.code == "payment_intent_authentication_failure"
    assert fake.event_types() == ["payment_intent.payment_failed"]
    # Nothing left to authenticate.
    assert http("GET", f"{fake.url}/3ds/{pi.id}")[0] == 400


def test_complete_3ds_helper(fake, client):
    pi = create_pi(client)
    client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_threeDSecure2Required",
                                                     "return_url": "http://shop.test/r"})
    assert "redirect_status=succeeded" in fake.complete_3ds(pi.id)
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_cancel(fake, client):
    pi = create_pi(client, capture_method="manual")
    client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    pi = client.v1.payment_intents.cancel(pi.id, params={"cancellation_reason": "abandoned"})
    assert (pi.status, pi.cancellation_reason, pi.amount_capturable) == ("canceled", "abandoned", 0)
    assert fake.event_types() == ["payment_intent.amount_capturable_updated", "payment_intent.canceled"]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.cancel(pi.id)

    paid = create_pi(client, payment_method="pm_card_visa", confirm=True)
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.payment_intents.cancel(paid.id)
    assert exc.value.code == "payment_intent_unexpected_state"


# --- idempotency ----------------------------------------------------------------------------------------------


def test_idempotent_replay(fake, client):
    params = {"amount": 2500, "currency": "usd", "metadata": {"booking": "9"}}
    first = client.v1.payment_intents.create(params=params, options={"idempotency_key": "order-100-2500"})
    second = client.v1.payment_intents.create(params=params, options={"idempotency_key": "order-100-2500"})
    assert second.id == first.id and second.client_secret == first.client_secret
    assert len(fake.payment_intents) == 1
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers


def test_idempotent_replay_of_an_error(client):
    pi = create_pi(client)
    options = {"idempotency_key": "confirm-1"}
    for _ in range(2):
        with pytest.raises(stripe.CardError):
            client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_chargeDeclined"},
                                              options=options)


def test_idempotency_conflict(fake, client):
    client.v1.payment_intents.create(params={"amount": 2500, "currency": "usd"}, options={"idempotency_key": "k"})
    with pytest.raises(stripe.IdempotencyError) as exc:
        client.v1.payment_intents.create(params={"amount": 2600, "currency": "usd"},
                                         options={"idempotency_key": "k"})
    assert exc.value.http_status == 400
    assert "'k'" in exc.value.user_message
    assert len(fake.payment_intents) == 1


# --- refunds --------------------------------------------------------------------------------------------------


def test_partial_refunds_and_over_refund(fake, client):
    pi = create_pi(client, payment_method="pm_card_visa", confirm=True)
    first = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 2000})
    assert first.id.startswith("re_")
    assert (first["object"], first.amount, first.currency, first.payment_intent, first.charge, first.status) == (
        "refund", 2000, "usd", pi.id, pi.latest_charge, "succeeded")
    assert fake.charges[pi.latest_charge]["amount_refunded"] == 2000
    assert fake.charges[pi.latest_charge]["refunded"] is False

    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 3001})
    assert exc.value.param == "amount" and exc.value.code == "amount_too_large"
    assert "greater than unrefunded amount" in exc.value.user_message and "3000" in exc.value.user_message

    rest = client.v1.refunds.create(params={"payment_intent": pi.id, "metadata": {"reason": "policy"}})
    assert rest.amount == 3000 and rest.metadata["reason"] == "policy"
    assert fake.charges[pi.latest_charge]["refunded"] is True
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1})
    assert exc.value.code == "charge_already_refunded"

    assert client.v1.refunds.retrieve(first.id).amount == 2000
    listing = client.v1.refunds.list(params={"payment_intent": pi.id})
    assert listing["object"] == "list" and listing.has_more is False
    assert sorted(r.amount for r in listing.data) == [2000, 3000]
    assert fake.event_types() == ["payment_intent.succeeded", "charge.refunded", "charge.refunded"]
    refunded = [e["data"]["object"] for e in fake.events if e["type"] == "charge.refunded"]
    assert [c["amount_refunded"] for c in refunded] == [2000, 5000]
    assert refunded[0]["object"] == "charge"


def test_refund_after_partial_capture_is_limited_to_the_captured_amount(client):
    pi = create_pi(client, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 1500})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1501})
    assert client.v1.refunds.create(params={"payment_intent": pi.id}).amount == 1500


def test_refund_needs_a_successful_payment(client):
    pi = create_pi(client)
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.refunds.create(params={"payment_intent": pi.id})
    assert exc.value.code == "charge_not_refundable"


# --- auth -----------------------------------------------------------------------------------------------------


def test_authentication(fake):
    bad = stripe.StripeClient("sk_live_nope", base_addresses={"api": fake.url}, max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError):
        bad.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    status, _, body = http("GET", f"{fake.url}/v1/payment_intents")
    assert status == 401 and json.loads(body)["error"]["type"] == "invalid_request_error"
    publishable = stripe.StripeClient(fake.publishable_key, base_addresses={"api": fake.url}, max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError):
        publishable.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})


def test_confirm_with_publishable_key_and_client_secret(fake, client):
    """What the fake Stripe.js does: key + client_secret in the form body, no Authorization header."""
    def confirm(pi, number, secret=None):
        status, _, body = http("POST", f"{fake.url}/v1/payment_intents/{pi.id}/confirm", {
            "key": fake.publishable_key, "client_secret": secret or pi.client_secret,
            "payment_method_data[card][number]": number, "return_url": "http://shop.test/r"})
        return status, json.loads(body)

    pi = create_pi(client)
    status, body = confirm(pi, "4242424242424242", secret=pi.id + "_secret_wrong")
    assert status == 400 and body["error"]["param"] == "client_secret"

    status, body = confirm(pi, "4000000000000002")
    assert status == 200
    assert body["status"] == "requires_payment_method"
    assert body["error"]["type"] == "card_error" and body["error"]["code"] == "card_declined"
    assert body["last_payment_error"]["decline_code"] == "generic_decline"

    status, body = confirm(pi, "4242424242424242")
    assert (status, body["status"]) == (200, "succeeded")

    status, _, body = http("GET", f"{fake.url}/v1/payment_intents/{pi.id}?" + urlencode(
        {"key": fake.publishable_key, "client_secret": pi.client_secret}))
    assert status == 200 and json.loads(body)["status"] == "succeeded"


# --- events and webhooks --------------------------------------------------------------------------------------


def test_events_recorded_in_order_and_stripe_shaped(fake, client):
    manual = create_pi(client, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    client.v1.payment_intents.capture(manual.id)
    declined = create_pi(client)
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.confirm(declined.id, params={"payment_method": "pm_card_chargeDeclined"})
    client.v1.payment_intents.cancel(declined.id)
    client.v1.refunds.create(params={"payment_intent": manual.id, "amount": 100})
    assert fake.event_types() == ["payment_intent.amount_capturable_updated", "payment_intent.succeeded",
                                  "payment_intent.payment_failed", "payment_intent.canceled", "charge.refunded"]
    first = fake.events[0]
    assert first["id"].startswith("evt_") and first["object"] == "event" and first["livemode"] is False
    assert first["api_version"] == API_VERSION and isinstance(first["created"], int)
    # data.object is a snapshot taken at the time.
    assert first["data"]["object"]["status"] == "requires_capture"
    assert fake.events[1]["data"]["object"]["status"] == "succeeded"

    listed = client.v1.events.list(params={"type": "payment_intent.canceled"})
    assert [e.id for e in listed.data] == [fake.events[3]["id"]]
    assert client.v1.events.retrieve(first["id"]).type == "payment_intent.amount_capturable_updated"


class _Receiver:
    """A tiny HTTP server that records webhook POSTs; answers ``status`` (change it to simulate an outage)."""

    def __init__(self):
        self.received = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((body, self.headers.get("Stripe-Signature")))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stripe/webhook/"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = _Receiver()
    yield receiver
    receiver.close()


def test_webhooks_are_delivered_signed_and_in_order(receiver):
    with FakeStripe(webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET) as fake:
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url}, max_network_retries=0)
        pi = create_pi(client, capture_method="manual", payment_method="pm_card_visa", confirm=True,
                       metadata={"booking": "5"})
        client.v1.payment_intents.capture(pi.id)
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 500})
        assert fake.wait_for_deliveries()
        assert len(receiver.received) == 3
        events = [stripe.Webhook.construct_event(body, header, WEBHOOK_SECRET) for body, header in receiver.received]
        assert [e.type for e in events] == ["payment_intent.amount_capturable_updated", "payment_intent.succeeded",
                                            "charge.refunded"]
        assert [e.id for e in events] == [e["id"] for e in fake.events]
        assert events[0].data.object.metadata["booking"] == "5"
        assert events[2].data.object["object"] == "charge"
        assert fake.undelivered == [] and [status for _, status in fake.deliveries] == [200, 200, 200]
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(receiver.received[0][0], receiver.received[0][1], "whsec_other")


def test_failed_delivery_is_kept_and_can_be_redelivered(receiver):
    receiver.status = 500
    with FakeStripe(webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET) as fake:
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url}, max_network_retries=0)
        create_pi(client, payment_method="pm_card_visa", confirm=True)
        assert fake.wait_for_deliveries()
        assert [e["type"] for e in fake.undelivered] == ["payment_intent.succeeded"]
        assert fake.deliveries[-1][1] == 500
        # The server keeps serving.
        assert create_pi(client).status == "requires_payment_method"
        receiver.status = 200
        assert fake.deliver(fake.undelivered[0]) is True
        assert fake.undelivered == []


def test_unreachable_webhook_url_does_not_break_the_api():
    with FakeStripe(webhook_url="http://127.0.0.1:9/nowhere", webhook_secret=WEBHOOK_SECRET) as fake:
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url}, max_network_retries=0)
        create_pi(client, payment_method="pm_card_visa", confirm=True)
        assert fake.wait_for_deliveries()
        assert len(fake.undelivered) == 1 and isinstance(fake.deliveries[0][1], str)


def test_auto_deliver_off(receiver):
    with FakeStripe(webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET, auto_deliver=False) as fake:
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url}, max_network_retries=0)
        create_pi(client, payment_method="pm_card_visa", confirm=True)
        assert fake.wait_for_deliveries() and receiver.received == []
        assert fake.deliver(fake.events[0]) is True
        assert len(receiver.received) == 1


# --- failure injection ----------------------------------------------------------------------------------------


def test_fail_next_raises_api_error_then_recovers(fake, client):
    fake.fail_next(status=500)
    with pytest.raises(stripe.APIError) as exc:
        create_pi(client)
    assert exc.value.http_status == 500
    assert fake.payment_intents == {}
    assert create_pi(client).status == "requires_payment_method"


def test_fail_next_is_retried_by_the_sdk_with_the_same_idempotency_key(fake):
    client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url}, max_network_retries=1)
    fake.fail_next(count=1, status=503)
    pi = client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    assert pi.status == "requires_payment_method"
    keys = [key for _, _, _, key in fake.requests]
    assert len(keys) == 2 and keys[0] == keys[1]

    fake.fail_next(count=1, status=500, should_retry=False)
    with pytest.raises(stripe.APIError):
        client.v1.payment_intents.create(params={"amount": 100, "currency": "usd"})
    assert len(fake.requests) == 3


def test_delay_next_makes_the_client_time_out(fake):
    client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url}, max_network_retries=0,
                                 http_client=stripe.RequestsClient(timeout=0.3))
    fake.delay_next(1.0)
    with pytest.raises(stripe.APIConnectionError, match="ReadTimeout"):  # gave up waiting for the answer
        create_pi(client)
    wait_until(lambda: fake.payment_intents, message="the delayed request to run")  # it still runs, after the sleep
    assert len(fake.payment_intents) == 1

    fake.delay_next(0.5, process_first=True)
    with pytest.raises(stripe.APIConnectionError, match="ReadTimeout"):
        create_pi(client, amount=777)
    assert any(p["amount"] == 777 for p in fake.payment_intents.values())  # applied before the sleep


def test_command_line_entry_point():
    script = os.path.join(os.path.dirname(__file__), "..", "..", "sandbox", "fakes", "stripe_server.py")
    proc = subprocess.Popen([sys.executable, script, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": base}, max_network_retries=0)
        assert create_pi(client).status == "requires_payment_method"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- Stripe.js --------------------------------------------------------------------------------------------------


def test_stripe_js_is_served_with_cors_and_the_base_url(fake):
    status, headers, body = http("GET", f"{fake.url}/v3/")
    assert status == 200
    assert headers["Content-Type"].startswith("application/javascript")
    assert headers["Access-Control-Allow-Origin"] == "*"
    js = body.decode()
    assert "window.Stripe = Stripe" in js
    assert json.dumps(fake.url) in js

    # The base comes from the Host header (so "localhost" pages get "localhost" URLs).
    port = urlsplit(fake.url).port
    _, _, body = http("GET", f"http://localhost:{port}/v3/")
    assert f'"http://localhost:{port}"' in body.decode()

    status, headers, _ = http("OPTIONS", f"{fake.url}/v1/payment_intents/pi_x/confirm",
                              headers={"Origin": "http://shop.test", "Access-Control-Request-Method": "POST"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in headers["Access-Control-Allow-Headers"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]
    status, headers, _ = http("GET", f"{fake.url}/v1/payment_intents")
    assert status == 401 and headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_stripe_js_parses(fake, tmp_path):
    _, _, body = http("GET", f"{fake.url}/v3/")
    script = tmp_path / "stripe.js"
    script.write_bytes(body)
    subprocess.run(["node", "--check", str(script)], check=True)


# --- the fake Stripe.js in headless Chromium ------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")

PAY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pay</title><script src="%(js)s"></script></head>
<body><main>
<form id="pay"><div id="payment-element"></div><button type="submit">Pay</button>
<p id="error" role="alert"></p></form>
<script>
  const params = new URLSearchParams(location.search);
  const stripe = Stripe(%(pk)s);
  const elements = stripe.elements({clientSecret: params.get("cs"), appearance: {theme: "stripe"}});
  const element = elements.create("payment");
  element.on("change", () => {});
  element.mount("#payment-element");
  document.getElementById("pay").addEventListener("submit", async (event) => {
    event.preventDefault();
    const {error} = await stripe.confirmPayment({
      elements, confirmParams: {return_url: location.origin + "/done"}});
    if (error) document.getElementById("error").textContent = error.message;
  });
</script></main></body></html>"""


@pytest.fixture
def shop(fake):
    """A page server on another origin ("localhost" vs the fake's "127.0.0.1") with /pay and /done."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/pay"):
                body = PAY_PAGE % {"js": f"{fake.url}/v3/", "pk": json.dumps(fake.publishable_key)}
            else:
                body = "<!doctype html><title>Done</title><h1>Thanks</h1>"
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_fake_stripe_js_in_headless_chromium(fake, client, shop):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox",
                                                                            "--disable-gpu"])
        page = browser.new_page()
        try:
            # Decline: the promise resolves to {error} and the page stays.
            pi = create_pi(client)
            page.goto(f"{shop}/pay?cs={pi.client_secret}")
            number = page.get_by_label("Card number")
            expect(number).to_have_attribute("autocomplete", "cc-number")
            expect(number).to_have_attribute("inputmode", "numeric")
            number.fill("4000 0000 0000 0002")
            page.get_by_label("Expiry (MM / YY)").fill("12 / 34")
            page.get_by_label("CVC").fill("123")
            page.get_by_role("button", name="Pay").click()
            expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
            assert fake.payment_intents[pi.id]["status"] == "requires_payment_method"

            # Success: off to return_url with Stripe's query.
            number.fill("4242 4242 4242 4242")
            page.get_by_role("button", name="Pay").click()
            page.wait_for_url(f"{shop}/done?*")
            query = parse_qs(urlsplit(page.url).query)
            assert query["payment_intent"] == [pi.id] and query["redirect_status"] == ["succeeded"]
            assert query["payment_intent_client_secret"] == [pi.client_secret]
            assert fake.payment_intents[pi.id]["status"] == "succeeded"
            sent = [p for m, path, p, _ in fake.requests if path.endswith("/confirm")][-1]
            assert sent["payment_method_data"]["card"]["number"] == "4242424242424242"

            # 3-D Secure: the fake's page, then back to return_url.
            pi = create_pi(client)
            page.goto(f"{shop}/pay?cs={pi.client_secret}")
            page.get_by_label("Card number").fill("4000 0000 0000 3220")
            page.get_by_role("button", name="Pay").click()
            expect(page.get_by_role("heading", name="Authenticate this payment")).to_be_visible()
            page.get_by_role("button", name="Complete authentication").click()
            page.wait_for_url(f"{shop}/done?*")
            assert parse_qs(urlsplit(page.url).query)["redirect_status"] == ["succeeded"]
            assert fake.payment_intents[pi.id]["status"] == "succeeded"
        finally:
            browser.close()
