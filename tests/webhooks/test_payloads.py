"""What each event carries: the booking as it was then, money as strings with the currency, no secrets."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.checkout.conftest import far, paid_booking
from tests.factories.booking import ServiceFactory
from tests.helpers import ny
from tests.webhooks.conftest import book
from wagtail_booking.bookings import services
from wagtail_booking.checkout import facade

pytestmark = pytest.mark.django_db(transaction=True)


def types(receiver):
    return [event["type"] for event in receiver.delivered]


def test_booking_payload(service, monday, endpoint, receiver):
    booking = book(service, monday, 10)
    event = receiver.delivered[0]
    assert event["type"] == "booking.created" and event["api_version"]
    assert event["created"].startswith("2027-03-10T15:00") and event["created"].endswith("+00:00")
    data = event["data"]["booking"]
    assert data == {
        "reference": booking.reference, "status": "confirmed",
        "service": {"name": "Consultation", "duration_minutes": service.duration_minutes},
        "provider": {"name": "Maya", "timezone": booking.provider.timezone},
        "start": ny(monday, 10).isoformat(), "end": (ny(monday, 10) + timedelta(minutes=service.duration_minutes))
        .isoformat(),
        "client": {"name": "Ann Lee", "email": "ann@example.com", "phone": "+12125550123",
                   "timezone": "America/New_York"},
        "business": {"name": "Calm Hands Massage", "site": "http://testserver"},
        "price": {"amount": str(booking.price), "currency": booking.currency.upper()},
        "deposit": {"amount": str(booking.deposit_due), "currency": booking.currency.upper()},
        "price_with_tax": {"amount": str(booking.price), "currency": booking.currency.upper()},
        "deposit_with_tax": {"amount": str(booking.deposit_due), "currency": booking.currency.upper()},
        "created": data["created"],
    }
    assert data["start"].endswith("-04:00")  # New York summer time, offset given
    body = receiver.requests[0]["body"].decode()
    assert "manage" not in body and "token" not in body


def test_lifecycle_events_in_order(service, monday, endpoint, receiver):
    booking = book(service, monday, 10)
    services.reschedule(booking, ny(monday, 12), by="staff")
    services.mark_outcome(booking, "completed", now=booking.end)
    other = book(service, monday, 14, email="bo@example.com")
    services.mark_outcome(other, "no_show", now=other.end)
    assert types(receiver) == ["booking.created", "booking.confirmed", "booking.rescheduled", "booking.completed",
                               "booking.created", "booking.confirmed", "booking.no_show"]
    moved = receiver.delivered[2]["data"]
    assert moved["previous_start"] == ny(monday, 10).isoformat()
    assert moved["booking"]["start"] == ny(monday, 12).isoformat()
    assert receiver.delivered[3]["data"]["booking"]["status"] == "completed"


def test_requests_approval_and_decline(provider, monday, endpoint, receiver):
    service = ServiceFactory(providers=[provider], booking_mode="request")
    approved = book(service, monday, 10)
    services.approve(approved)
    declined = book(service, monday, 12, email="bo@example.com")
    services.decline(declined)
    assert types(receiver) == ["booking.created", "booking.confirmed", "booking.created", "booking.cancelled"]
    assert receiver.delivered[0]["data"]["booking"]["status"] == "requested"
    assert receiver.delivered[1]["data"]["approved"] is True
    assert receiver.delivered[3]["data"] | {"booking": None} == {"booking": None, "cancelled_by": "staff",
                                                                  "declined": True}


def test_a_bare_hold_sends_nothing(stripe_client, massage, monday, endpoint, receiver):
    services.create_hold(massage, far(monday), services.ClientDetails("Pat", "pat@example.com", "America/New_York"))
    assert receiver.requests == []


def test_payment_succeeded_and_refunded(stripe_client, massage, monday, endpoint, receiver):
    booking = paid_booking(stripe_client, massage, far(monday), "pat@example.com")
    assert types(receiver) == ["booking.created", "booking.confirmed", "payment.succeeded"]
    paid = receiver.delivered[2]["data"]
    assert paid["amount"] == {"amount": "18.00", "currency": "USD"}
    assert paid["payment"]["captured"] == {"amount": "18.00", "currency": "USD"}
    assert paid["payment"]["status"] == "captured" and paid["payment"]["order_number"]
    assert paid["booking"]["reference"] == booking.reference
    facade.refund(facade.paid_payment(booking), Decimal("4.50"), "goodwill")
    assert types(receiver)[-1] == "payment.refunded"
    refunded = receiver.delivered[-1]["data"]
    assert refunded["amount"] == {"amount": "4.50", "currency": "USD"}
    assert refunded["payment"]["refunded"] == {"amount": "4.50", "currency": "USD"}
    body = b"".join(r["body"] for r in receiver.requests).decode()
    assert "4242" not in body and "card" not in body.lower()
