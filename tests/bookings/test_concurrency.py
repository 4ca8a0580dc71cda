"""Many clients, each on its own PostgreSQL connection, racing for one slot."""

import functools
import json
from datetime import timedelta

import pytest
from django.test import Client

from tests.bookings.racing import race
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking

CLIENTS = 24


def race_holds(bodies):
    """POST every body to /booking/api/holds at the same moment, each from its own thread (and connection)."""
    def post(index, body):
        response = Client(REMOTE_ADDR=f"10.0.0.{index}").post(
            "/booking/api/holds", data=json.dumps(body), content_type="application/json")
        return response.status_code, response.json()

    return race(*(functools.partial(post, index, body) for index, body in enumerate(bodies)))


def body(service, start, index):
    return {"service": service.pk, "start": start.isoformat(), "name": f"Client {index}",
            "email": f"client{index}@example.com", "timezone": "America/New_York"}


@pytest.mark.django_db(transaction=True)
def test_same_slot_exactly_one_wins(monday):
    service = ServiceFactory(providers=[ProviderFactory()])
    results = race_holds([body(service, ny(monday, 10), i) for i in range(CLIENTS)])
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * (CLIENTS - 1)
    losers = [payload for code, payload in results if code == 409]
    assert all(payload["alternatives"] and "no longer available" in payload["detail"] for payload in losers)
    assert Booking.objects.filter(status="confirmed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_overlapping_different_starts_exactly_one_wins(monday):
    # 60-minute appointments every 5 minutes: any two starts within the hour overlap.
    service = ServiceFactory(providers=[ProviderFactory()], duration_minutes=60, slot_interval_minutes=5,
                             buffer_after_minutes=10)
    # Twelve different starts from 10:00 to 10:55, each tried by two clients.
    starts = [ny(monday, 10) + timedelta(minutes=5 * (i % 12)) for i in range(CLIENTS)]
    assert all(abs(a - b) < timedelta(minutes=70) for a in starts for b in starts)
    results = race_holds([body(service, start, i) for i, start in enumerate(starts)])
    codes = [code for code, _ in results]
    assert codes.count(201) == 1 and codes.count(409) == CLIENTS - 1
    booked = list(Booking.objects.filter(status="confirmed"))
    assert len(booked) == 1


@pytest.mark.django_db(transaction=True)
def test_two_providers_two_winners(monday):
    service = ServiceFactory(providers=[ProviderFactory(), ProviderFactory()])
    results = race_holds([body(service, ny(monday, 10), i) for i in range(CLIENTS)])
    codes = [code for code, _ in results]
    assert codes.count(201) == 2 and codes.count(409) == CLIENTS - 2
    assert Booking.objects.values("provider").distinct().count() == 2
