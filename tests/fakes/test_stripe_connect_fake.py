"""Stripe Connect in the loopback fake, driven by the real stripe-python: accounts and hosted onboarding, objects
scoped by the Stripe-Account header, application fees, and Connect events signed with their own secret."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe
from fakes.stripe_server import sign

from tests.fakes.test_stripe_fake import NO_REDIRECT, http
from tests.helpers import wait_until

PLATFORM_SECRET, CONNECT_SECRET = "whsec_platform", "whsec_connect"


def ready_account(client, fake):
    account = client.v1.accounts.create(params={"type": "standard"})
    fake.complete_onboarding(account.id)
    return account.id


def paid_intent(client, account, amount=5000, fee=None, manual=False):
    params = {"amount": amount, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
              "capture_method": "manual" if manual else "automatic"}
    if fee is not None:
        params["application_fee_amount"] = fee
    return client.v1.payment_intents.create(params=params, options={"stripe_account": account})


def test_onboarding_through_the_hosted_page_completes_the_account(client, fake):
    account = client.v1.accounts.create(params={"type": "express", "business_profile": {"name": "Calm Studio"}})
    assert (account.type, account.charges_enabled, account.details_submitted) == ("express", False, False)
    link = client.v1.account_links.create(params={
        "account": account.id, "refresh_url": "http://shop.test/refresh", "return_url": "http://shop.test/return",
        "type": "account_onboarding"})

    status, _, page = http("GET", link.url)
    assert status == 200 and b"Calm Studio" in page and b"Agree and submit" in page
    status, headers, _ = http("POST", link.url, {"action": "complete"}, opener=NO_REDIRECT)
    assert (status, headers["Location"]) == (303, "http://shop.test/return")

    again = client.v1.accounts.retrieve(account.id)
    assert (again.charges_enabled, again.payouts_enabled, again.details_submitted) == (True, True, True)
    assert [e["type"] for e in fake.events] == ["account.updated"] and fake.events[0]["account"] == account.id
    # A used link sends the owner to refresh_url, where the site makes a new one.
    status, headers, _ = http("GET", link.url, opener=NO_REDIRECT)
    assert (status, headers["Location"]) == (303, "http://shop.test/refresh")


def test_leaving_onboarding_for_later_leaves_the_account_unable_to_take_payments(client, fake):
    account = client.v1.accounts.create(params={"type": "standard"})
    link = client.v1.account_links.create(params={
        "account": account.id, "refresh_url": "http://shop.test/refresh", "return_url": "http://shop.test/return",
        "type": "account_onboarding"})
    status, headers, _ = http("POST", link.url, {"action": "later"}, opener=NO_REDIRECT)
    assert (status, headers["Location"]) == (303, "http://shop.test/return")
    assert client.v1.accounts.retrieve(account.id).charges_enabled is False


def test_account_link_needs_urls_and_a_known_account(client, fake):
    account = client.v1.accounts.create(params={"type": "standard"})
    with pytest.raises(stripe.InvalidRequestError, match="return_url"):
        client.v1.account_links.create(params={"account": account.id, "refresh_url": "http://a.test/r",
                                               "type": "account_onboarding"})
    with pytest.raises(stripe.InvalidRequestError, match="No such account"):
        client.v1.account_links.create(params={"account": "acct_nobody", "refresh_url": "http://a.test/r",
                                               "return_url": "http://a.test/x", "type": "account_onboarding"})


def test_objects_live_on_the_account_they_were_made_on(client, fake):
    a, b = ready_account(client, fake), ready_account(client, fake)
    intent = paid_intent(client, a, fee=500)
    assert fake.request_accounts[-1] == a

    assert client.v1.payment_intents.retrieve(intent.id, options={"stripe_account": a}).status == "succeeded"
    for elsewhere in ({}, {"stripe_account": b}):
        with pytest.raises(stripe.InvalidRequestError, match="No such payment_intent") as error:
            client.v1.payment_intents.retrieve(intent.id, options=elsewhere)
        assert error.value.http_status == 404
    assert client.v1.payment_intents.list(options={"stripe_account": b}).data == []
    assert [pi.id for pi in client.v1.payment_intents.list(options={"stripe_account": a}).data] == [intent.id]
    with pytest.raises(stripe.InvalidRequestError, match="No such payment_intent"):
        client.v1.refunds.create(params={"payment_intent": intent.id})  # from the platform


def test_unknown_connected_account_is_refused(client, fake):
    with pytest.raises(stripe.PermissionError, match="does not have access to account"):
        client.v1.payment_intents.list(options={"stripe_account": "acct_unknown"})


def test_application_fee_is_taken_on_capture_and_refunded_in_proportion(client, fake):
    account = ready_account(client, fake)
    intent = paid_intent(client, account, amount=10000, fee=1000, manual=True)
    assert client.v1.application_fees.list().data == []  # nothing captured yet

    client.v1.payment_intents.capture(intent.id, options={"stripe_account": account})
    fee, = client.v1.application_fees.list().data
    assert (fee.amount, fee.account, fee.amount_refunded) == (1000, account, 0)
    charge = client.v1.charges.retrieve(fee.charge, options={"stripe_account": account})
    assert (charge.application_fee, charge.application_fee_amount) == (fee.id, 1000)

    client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 2500, "refund_application_fee": True},
                             options={"stripe_account": account})
    assert client.v1.application_fees.retrieve(fee.id).amount_refunded == 250
    client.v1.refunds.create(params={"payment_intent": intent.id, "refund_application_fee": True},
                             options={"stripe_account": account})
    fee = client.v1.application_fees.retrieve(fee.id)
    assert (fee.amount_refunded, fee.refunded) == (1000, True)
    # The fee lives on the platform only.
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.application_fees.list(options={"stripe_account": account})


def test_refund_without_refund_application_fee_keeps_the_fee(client, fake):
    account = ready_account(client, fake)
    intent = paid_intent(client, account, amount=4000, fee=400)
    client.v1.refunds.create(params={"payment_intent": intent.id}, options={"stripe_account": account})
    assert client.v1.application_fees.list().data[0].amount_refunded == 0


def test_application_fee_needs_a_connected_account_and_fits_the_amount(client, fake):
    with pytest.raises(stripe.InvalidRequestError, match="Stripe-Account header"):
        paid_intent(client, None, fee=100)
    account = ready_account(client, fake)
    with pytest.raises(stripe.InvalidRequestError, match="cannot be greater"):
        paid_intent(client, account, amount=500, fee=600)


def test_idempotency_keys_are_per_account(client, fake):
    a, b = ready_account(client, fake), ready_account(client, fake)
    params = {"amount": 700, "currency": "usd"}
    first = client.v1.payment_intents.create(params=params, options={"stripe_account": a, "idempotency_key": "k1"})
    other = client.v1.payment_intents.create(params=params, options={"stripe_account": b, "idempotency_key": "k1"})
    assert first.id != other.id


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, self.headers["Stripe-Signature"], body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_connect_events_carry_the_account_and_go_to_the_connect_endpoint(client, fake):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        fake.webhook_url, fake.webhook_secret = f"{base}/platform", PLATFORM_SECRET
        fake.connect_webhook_url, fake.connect_webhook_secret = f"{base}/connect", CONNECT_SECRET
        account = ready_account(client, fake)
        paid_intent(client, account, fee=100)
        assert wait_until(lambda: len(server.received) == len(fake.events))
    finally:
        server.shutdown()
        server.server_close()
    by_type = {json.loads(body)["type"]: (path, signature, body) for path, signature, body in server.received}
    path, signature, body = by_type["payment_intent.succeeded"]
    assert path == "/connect" and json.loads(body)["account"] == account
    timestamp = signature.split(",")[0][2:]
    assert signature == sign(body, CONNECT_SECRET, int(timestamp))
    path, signature, body = by_type["application_fee.created"]
    assert path == "/platform" and "account" not in json.loads(body)
    assert by_type["account.updated"][0] == "/connect"
