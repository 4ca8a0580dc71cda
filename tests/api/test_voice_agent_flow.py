"""A phone assistant books with an API key, as docs/howto/voice-agent.md describes: read the tools from the OpenAPI
schema, find a slot, hold it five minutes, text the payment link, the caller pays, the booking is confirmed.

Real parts throughout: the Django test client for the agent and the caller's browser, the real stripe-python SDK
against the loopback Stripe fake, the real twilio SDK against the loopback Twilio fake, Huey in immediate mode.
"""

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail

from tests.api.conftest import bearer
from tests.checkout.conftest import Checkout
from tests.factories.booking import ServiceFactory
from wagtail_booking.notifications.models import SmsMessage

pytestmark = pytest.mark.django_db(transaction=True)
CALLER_PHONE = "+12125550123"
TOOLS = {"wagtail_booking_api_views_list_services", "wagtail_booking_api_views_list_slots", "createBooking",
         "getBooking", "listBookings", "cancelBookingAsBusiness"}


class VoiceAgent:
    """What the assistant's tool calls do: plain HTTP with the business's API key."""

    def __init__(self, client, key):
        self.client, self.headers = client, bearer(key)

    def tools(self):
        schema = self.client.get("/booking/api/openapi.json").json()
        operations = {operation["operationId"]: (method, path, operation)
                      for path, methods in schema["paths"].items() for method, operation in methods.items()}
        return schema, operations

    def services(self):
        return self.client.get("/booking/api/services", **self.headers).json()

    def slots(self, service_id, day, zone):
        return self.client.get(f"/booking/api/services/{service_id}/slots",
                               {"start": day.isoformat(), "end": day.isoformat(), "tz": zone}, **self.headers).json()

    def book(self, **body):
        return self.client.post("/booking/api/integrations/bookings", data=json.dumps(body),
                                content_type="application/json", **self.headers)

    def booking(self, reference):
        return self.client.get(f"/booking/api/integrations/bookings/{reference}", **self.headers).json()


@pytest.fixture
def agent(client, site_root):
    from wagtail.models import Site

    from wagtail_booking.api.keys import create_key

    key = create_key(Site.objects.get(is_default_site=True), "Phone assistant", ["read", "book"])[1]
    return VoiceAgent(client, key)


def caller(service, start, **extra):
    return {"service": service["id"], "start": start, "name": "Pat Caller", "email": "pat@example.com",
            "phone": CALLER_PHONE, "timezone": "America/Chicago", "sms_consent": True, **extra}


def test_the_voice_agent_books_a_paid_service_and_the_caller_pays_by_the_texted_link(
        agent, twilio, massage, stripe_client, monday, django_user_model):
    # 1. The tools: every operation the assistant uses is in the schema, with the bearer key as its security.
    schema, operations = agent.tools()
    assert TOOLS <= operations.keys()
    assert schema["components"]["securitySchemes"]["ApiKeyBearer"]["scheme"] == "bearer"
    method, path, create = operations["createBooking"]
    assert (method, path) == ("post", "/booking/api/integrations/bookings")
    assert create["security"] == [{"ApiKeyBearer": []}]
    assert {"201", "400", "401", "403", "404", "409", "429"} <= create["responses"].keys()
    # 2. "What can I book?" and "what is free on Monday?"
    service = next(s for s in agent.services() if s["name"] == "Massage")
    assert service["deposit_due"] == "18.00"
    slots = agent.slots(service["id"], monday, "America/Chicago")["slots"]
    first = slots[0]["start"]
    assert first == f"{monday}T08:00:00-05:00"  # 09:00 in New York, said in the caller's zone
    # 3. Hold it five minutes and text the link.
    response = agent.book(**caller(service, first, hold_minutes=5, send_payment_link="sms"))
    assert response.status_code == 201, response.content
    held = response.json()
    assert held["status"] == "held" and held["next_step"] == "payment" and held["payment_link_sent"] == "sms"
    assert datetime.fromisoformat(held["expires_at"]) - datetime.now().astimezone() == pytest.approx(
        timedelta(minutes=5), abs=timedelta(seconds=5))
    assert held["payment_url"].startswith("http://testserver/booking/pay/")
    assert first not in [s["start"] for s in agent.slots(service["id"], monday, "America/Chicago")["slots"]]
    # The caller gets a text with the business, the time in their zone, the amount, the link and the expiry.
    text = SmsMessage.objects.get(kind="payment_link")
    sent = twilio.messages[text.provider_id]
    assert sent["to"] == CALLER_PHONE
    assert sent["body"].startswith("Harbour Wellness: Massage on ")
    assert "08:00 (America/Chicago)" in sent["body"]
    assert "Pay US$18.00" in sent["body"] and held["payment_url"] in sent["body"]
    assert held["reference"] in sent["body"]
    # 4. The caller opens the link on their phone and pays with a card.
    paying = Checkout(agent.client.__class__(), stripe_client, None)
    paying.hold_body = {"checkout_url": held["payment_url"]}
    paying.open_payment_page()
    paying.pay()
    paying.come_back()
    # 5. The assistant polls the booking: confirmed, and the caller has their confirmation.
    booking = agent.booking(held["reference"])
    assert booking["status"] == "confirmed" and booking["payment_url"] is None and booking["expires_at"] is None
    assert any(m.subject.startswith("Your booking is confirmed: Massage") for m in mail.outbox)


def test_a_free_service_is_confirmed_straight_away(agent, twilio, provider, monday):
    ServiceFactory(name="Intro call", providers=[provider])
    service = next(s for s in agent.services() if s["name"] == "Intro call")
    start = agent.slots(service["id"], monday, "America/Chicago")["slots"][0]["start"]
    response = agent.book(**caller(service, start, send_payment_link="sms"))
    body = response.json()
    assert response.status_code == 201 and body["status"] == "confirmed" and body["next_step"] == "confirmed"
    assert body["payment_url"] is None and body["payment_link_sent"] is None
    assert not SmsMessage.objects.filter(kind="payment_link").exists()
    assert SmsMessage.objects.get().kind == "confirmed"  # the usual confirmation text
    assert agent.booking(body["reference"])["status"] == "confirmed"


def test_an_unpaid_hold_lets_the_slot_go_after_five_minutes(agent, twilio, massage, monday, time_machine, client):
    service = next(s for s in agent.services() if s["name"] == "Massage")
    first = agent.slots(service["id"], monday, "America/Chicago")["slots"][0]["start"]
    held = agent.book(**caller(service, first, hold_minutes=5, send_payment_link="email")).json()
    assert held["payment_link_sent"] == "email"
    link = next(m for m in mail.outbox if m.subject.startswith("Pay to confirm your booking: Massage"))
    assert held["payment_url"] in link.body and "Deposit: US$18.00" in link.body
    assert "(America/Chicago)" in link.body  # the caller's zone, named
    time_machine.shift(timedelta(minutes=4, seconds=50))
    assert first not in [s["start"] for s in agent.slots(service["id"], monday, "America/Chicago")["slots"]]
    time_machine.shift(timedelta(seconds=15))
    assert first in [s["start"] for s in agent.slots(service["id"], monday, "America/Chicago")["slots"]]
    booking = agent.booking(held["reference"])
    assert booking["status"] == "expired" and booking["payment_url"] is None
    assert client.get(held["payment_url"]).status_code == 410  # the texted link now says the hold is gone


def test_a_text_needs_consent_and_sms_switched_on(agent, twilio, massage, monday):
    service = next(s for s in agent.services() if s["name"] == "Massage")
    first = agent.slots(service["id"], monday, "America/Chicago")["slots"][0]["start"]
    response = agent.book(**caller(service, first, sms_consent=False, send_payment_link="sms"))
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "send_payment_link",
                                          "message": "A text needs the client's phone and sms_consent: true."}]
    from wagtail_booking.site_settings import BusinessSettings

    BusinessSettings.objects.update(sms_enabled=False)
    response = agent.book(**caller(service, first, send_payment_link="sms"))
    assert response.status_code == 400 and "switched off" in response.json()["errors"][0]["message"]
    assert first in [s["start"] for s in agent.slots(service["id"], monday, "America/Chicago")["slots"]]


def test_the_how_to_script_turns_the_schema_into_tool_definitions(client):
    """The script in docs/howto/voice-agent.md, run as written (its HTTP call answered by the test client)."""
    how_to = (Path(__file__).resolve().parents[2] / "docs" / "howto" / "voice-agent.md").read_text()
    source = re.search(r"```python\n(.*?)```", how_to, re.S).group(1).replace("import requests\n", "")
    requests = SimpleNamespace(get=lambda url: client.get(url.removeprefix("https://example.com")))
    scope = {"requests": requests}
    exec(source, scope)  # noqa: S102 (our own documentation)
    tools = {tool["function"]["name"]: tool for tool in scope["tools"]}
    assert set(tools) == {"list_services", "find_slots", "book", "get_booking", "list_bookings"}
    book = tools["book"]["function"]
    assert {"service", "start", "name", "email", "timezone", "hold_minutes", "send_payment_link"} <= set(
        book["parameters"]["properties"])
    assert {"service", "start", "name", "email", "timezone"} <= set(book["parameters"]["required"])
    assert book["parameters"]["properties"]["hold_minutes"]["anyOf"][0]["maximum"] == 30
    assert "payment_url" in book["description"] or "payment" in book["description"]
    assert tools["find_slots"]["x-http"] == {"method": "GET", "path": "/booking/api/services/{service_id}/slots"}
    assert "$ref" not in json.dumps(scope["tools"])
