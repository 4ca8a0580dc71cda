"""Sixty clients, each on its own database connection, racing for the twelve seats of one class."""

import functools
import json

import pytest
from django.test import Client

from tests.bookings.racing import race
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking, ClassSession

CLIENTS, SEATS = 60, 12


def post(index, service, start, seats):
    body = {"service": service.pk, "start": start.isoformat(), "name": f"Client {index}",
            "email": f"client{index}@example.com", "timezone": "America/New_York", "seats": seats}
    response = Client(REMOTE_ADDR=f"10.0.{index // 250}.{index % 250}").post(
        "/booking/api/holds", data=json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def sold(session):
    live = Booking.objects.filter(session=session, status__in=Booking.BLOCKING_STATUSES)
    return sum(live.values_list("seats", flat=True))


@pytest.mark.django_db(transaction=True)
def test_sixty_clients_race_for_twelve_seats_exactly_twelve_are_sold(monday):
    service = ServiceFactory(providers=[ProviderFactory()], capacity=SEATS, max_seats_per_booking=2,
                             duration_minutes=60, slot_interval_minutes=60)
    # Most want one seat, every fifth client two: the seats run out part-way through a pair as well.
    wanted = [2 if index % 5 == 0 else 1 for index in range(CLIENTS)]
    results = race(*(functools.partial(post, index, service, ny(monday, 10), seats)
                     for index, seats in enumerate(wanted)))
    session = ClassSession.objects.get()
    assert session.seats_taken == SEATS == sold(session)
    won = [seats for (code, _body), seats in zip(results, wanted, strict=True) if code == 201]
    assert sum(won) == SEATS
    losers = [body for code, body in results if code != 201]
    assert {code for code, _body in results} == {201, 409}
    assert len(losers) == CLIENTS - len(won)
    for body in losers:
        assert body["detail"] in ("Sorry, that class is full.", "Sorry, only 1 seat is left in that class.")
        # the next classes, each with all its seats
        next_classes = [ny(monday, hour).isoformat() for hour in (11, 12, 13)]
        assert [slot["start"] for slot in body["alternatives"]] == next_classes
        assert all(slot["seats_left"] == SEATS for slot in body["alternatives"])
