"""Cards on file in the loopback Stripe fake (sandbox/fakes/stripe_cards.py), driven by the real stripe-python."""

import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import stripe

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def customer(client, email="pat@example.com"):
    return client.v1.customers.create(params={"email": email, "name": "Pat Payer"})


def publishable(fake, method, path, data):
    """What Stripe.js sends: the publishable key and the client secret, form-encoded."""
    body = urlencode({"key": fake.publishable_key, **data}).encode()
    url = f"{fake.url}{path}" + ("" if method == "POST" else "?" + body.decode())
    request = urllib.request.Request(url, data=body if method == "POST" else None, method=method)
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            import json

            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        import json

        return error.code, json.loads(error.read())


def saved_card(client, fake, number):
    """A customer whose card ``number`` was saved through a SetupIntent confirmed by Stripe.js."""
    cus = customer(client)
    seti = client.v1.setup_intents.create(params={"customer": cus.id, "usage": "off_session"})
    status, body = publishable(fake, "POST", f"/v1/setup_intents/{seti.id}/confirm", {
        "client_secret": seti.client_secret, "payment_method_data[type]": "card",
        "payment_method_data[card][number]": number, "return_url": "http://shop.test/saved"})
    assert status == 200, body
    if body["status"] == "requires_action":
        location = fake.complete_setup_3ds(seti.id)
        assert parse_qs(urlsplit(location).query)["redirect_status"] == ["succeeded"]
    seti = client.v1.setup_intents.retrieve(seti.id)
    assert seti.status == "succeeded"
    return cus, seti.payment_method


def charge_off_session(client, cus, pm, amount=2500, key=None):
    options = {"idempotency_key": key} if key else {}
    return client.v1.payment_intents.create(params={
        "amount": amount, "currency": "usd", "customer": cus.id, "payment_method": pm, "off_session": True,
        "confirm": True}, options=options)


def test_customer_create_retrieve_update(client, fake):
    cus = customer(client)
    assert cus.id.startswith("cus_") and cus.email == "pat@example.com"
    assert client.v1.customers.retrieve(cus.id).name == "Pat Payer"
    assert client.v1.customers.update(cus.id, params={"metadata": {"site": "1"}}).metadata["site"] == "1"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.customers.retrieve("cus_nope")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    assert "customer.created" in fake.event_types()


def test_setup_intent_saves_the_card_on_the_customer(client, fake):
    cus, pm = saved_card(client, fake, "4242424242424242")
    method = client.v1.payment_methods.retrieve(pm)
    assert method.customer == cus.id and method.card.last4 == "4242" and method.card.brand == "visa"
    listed = client.v1.customers.payment_methods.list(cus.id) if hasattr(client.v1.customers, "payment_methods") \
        else None
    if listed is not None:
        assert [m.id for m in listed.data] == [pm]
    types = fake.event_types()
    assert "setup_intent.succeeded" in types and "payment_method.attached" in types


def test_setup_intent_statuses_and_usage_default(client, fake):
    cus = customer(client)
    seti = client.v1.setup_intents.create(params={"customer": cus.id})
    assert (seti.status, seti.usage, seti.payment_method) == ("requires_payment_method", "off_session", None)
    assert seti.client_secret.startswith(seti.id + "_secret_")
    status, body = publishable(fake, "GET", f"/v1/setup_intents/{seti.id}", {"client_secret": "wrong"})
    assert status == 400 and body["error"]["param"] == "client_secret"
    status, body = publishable(fake, "POST", f"/v1/setup_intents/{seti.id}/confirm", {"client_secret": "x"})
    assert status == 400


def test_setup_needing_3ds_then_off_session_works_for_3155(client, fake):
    cus = customer(client)
    seti = client.v1.setup_intents.create(params={"customer": cus.id})
    status, body = publishable(fake, "POST", f"/v1/setup_intents/{seti.id}/confirm", {
        "client_secret": seti.client_secret, "payment_method_data[type]": "card",
        "payment_method_data[card][number]": "4000002500003155", "return_url": "http://shop.test/saved"})
    assert body["status"] == "requires_action" and body["next_action"]["type"] == "redirect_to_url"
    assert body["next_action"]["redirect_to_url"]["url"] == f"{fake.url}/3ds/{seti.id}"
    location = fake.complete_setup_3ds(seti.id)
    assert location.startswith("http://shop.test/saved?") and f"setup_intent={seti.id}" in location
    pm = client.v1.setup_intents.retrieve(seti.id).payment_method
    intent = charge_off_session(client, cus, pm, 1250)
    assert intent.status == "succeeded" and intent.amount_received == 1250 and intent.customer == cus.id
    assert fake.charges[intent.latest_charge]["customer"] == cus.id


def test_3155_not_set_up_needs_authentication_off_session(client, fake):
    cus = customer(client)
    pi = client.v1.payment_intents.create(params={"amount": 500, "currency": "usd",
                                                  "payment_method": "pm_card_authenticationRequiredOnSetup"})
    client.v1.payment_methods.attach(pi.payment_method, params={"customer": cus.id})
    with pytest.raises(stripe.CardError) as declined:
        charge_off_session(client, cus, pi.payment_method)
    assert declined.value.code == "authentication_required"


def test_always_authenticate_card_fails_off_session_with_the_intent_in_the_error(client, fake):
    cus, pm = saved_card(client, fake, "4000002760003184")
    with pytest.raises(stripe.CardError) as declined:
        charge_off_session(client, cus, pm, 2500)
    error = declined.value
    assert error.http_status == 402 and error.code == "authentication_required"
    raw = error.json_body["error"]
    assert raw["decline_code"] == "authentication_required"
    intent = raw["payment_intent"]
    assert intent["status"] == "requires_payment_method"
    assert intent["last_payment_error"]["code"] == "authentication_required"
    assert intent["last_payment_error"]["payment_method"]["id"] == pm
    # The client confirms the same PaymentIntent on-session with the same card: 3-D Secure, then paid.
    status, body = publishable(fake, "POST", f"/v1/payment_intents/{intent['id']}/confirm", {
        "client_secret": intent["client_secret"], "payment_method": pm, "return_url": "http://shop.test/fee"})
    assert status == 200 and body["status"] == "requires_action"
    fake.complete_3ds(intent["id"])
    paid = client.v1.payment_intents.retrieve(intent["id"])
    assert paid.status == "succeeded" and paid.amount_received == 2500


def test_insufficient_funds_card_cannot_be_saved(client, fake):
    """As at Stripe, the decline test cards fail the setup; 4000000000000341 is the one that saves, then declines."""
    cus = customer(client)
    seti = client.v1.setup_intents.create(params={"customer": cus.id})
    status, body = publishable(fake, "POST", f"/v1/setup_intents/{seti.id}/confirm", {
        "client_secret": seti.client_secret, "payment_method_data[type]": "card",
        "payment_method_data[card][number]": "4000000000009995"})
    assert status == 200 and body["error"]["decline_code"] == "insufficient_funds"
    assert body["status"] == "requires_payment_method"


def test_declined_card_fails_setup(client, fake):
    cus = customer(client)
    seti = client.v1.setup_intents.create(params={"customer": cus.id})
    with pytest.raises(stripe.CardError) as declined:
        client.v1.setup_intents.confirm(seti.id, params={"payment_method": "pm_card_chargeDeclined"})
    assert declined.value.json_body["error"]["setup_intent"]["id"] == seti.id
    again = client.v1.setup_intents.retrieve(seti.id)
    assert again.status == "requires_payment_method" and again.last_setup_error.code == "card_declined"
    assert "setup_intent.setup_failed" in fake.event_types()


def test_setup_3ds_failure(client, fake):
    cus = customer(client)
    seti = client.v1.setup_intents.create(params={"customer": cus.id})
    client.v1.setup_intents.confirm(seti.id, params={"payment_method": "pm_card_authenticationRequired"})
    fake.complete_setup_3ds(seti.id, succeed=False)
    again = client.v1.setup_intents.retrieve(seti.id)
    assert again.status == "requires_payment_method"
    assert again.last_setup_error.code == "setup_intent_authentication_failure"


def test_another_customers_card_is_refused(client, fake):
    cus, pm = saved_card(client, fake, "4242424242424242")
    other = customer(client, "someone@example.com")
    with pytest.raises(stripe.InvalidRequestError):
        charge_off_session(client, other, pm)


def test_off_session_needs_confirm(client, fake):
    cus, pm = saved_card(client, fake, "4242424242424242")
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.create(params={"amount": 100, "currency": "usd", "customer": cus.id,
                                                 "payment_method": pm, "off_session": True})
    assert refused.value.param == "off_session"


def test_setup_future_usage_saves_the_deposit_card(client, fake):
    cus = customer(client)
    pi = client.v1.payment_intents.create(params={"amount": 1800, "currency": "usd", "customer": cus.id,
                                                  "setup_future_usage": "off_session"})
    assert pi.setup_future_usage == "off_session"
    status, body = publishable(fake, "POST", f"/v1/payment_intents/{pi.id}/confirm", {
        "client_secret": pi.client_secret, "payment_method_data[type]": "card",
        "payment_method_data[card][number]": "4000002500003155", "return_url": "http://shop.test/r"})
    assert body["status"] == "requires_action"
    fake.complete_3ds(pi.id)
    pm = client.v1.payment_intents.retrieve(pi.id).payment_method
    assert client.v1.payment_methods.retrieve(pm).customer == cus.id
    later = charge_off_session(client, cus, pm, 900)  # set up by the deposit: no authentication now
    assert later.status == "succeeded"


def test_off_session_charge_is_idempotent(client, fake):
    cus, pm = saved_card(client, fake, "4242424242424242")
    first = charge_off_session(client, cus, pm, 700, key="fee-1")
    second = charge_off_session(client, cus, pm, 700, key="fee-1")
    assert first.id == second.id and len(fake.charges) == 1


def test_attach_then_decline_card(client, fake):
    cus, pm = saved_card(client, fake, "4000000000000341")
    with pytest.raises(stripe.CardError) as declined:
        charge_off_session(client, cus, pm)
    assert declined.value.code == "card_declined"


def test_detach(client, fake):
    cus, pm = saved_card(client, fake, "4242424242424242")
    assert client.v1.payment_methods.detach(pm).customer is None
    listed = client.v1.payment_methods.list(params={"customer": cus.id, "type": "card"})
    assert listed.data == []
