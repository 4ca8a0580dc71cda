"""Twenty bookings racing for the last credits, each on its own PostgreSQL connection: never below zero."""

from datetime import timedelta

import pytest
from django.test import Client

from tests.bookings.racing import race
from tests.helpers import ny
from tests.packages.conftest import buy_package, purchase_of
from tests.packages.test_packages import hold
from wagtail_booking.bookings.models import Booking
from wagtail_booking.packages import credits
from wagtail_booking.packages.models import CreditEntry

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.postgres_only("SQLite has no row locks: its writers queue on the whole database")]

RACERS = 20


def test_twenty_racing_bookings_spend_the_last_two_credits_once(stripe_client, stripe_fake, three_pack, massage,
                                                                monday):
    _, _, code = buy_package(stripe_client, three_pack)
    purchase = purchase_of()
    credits.spend(purchase, _booked_elsewhere(massage, monday))  # one used already: two left
    holds = []
    for number in range(RACERS):
        day = monday + timedelta(weeks=3, days=number // 8)
        holds.append(hold(Client(), massage, ny(day, 9 + number % 8)))

    def book(body):
        return Client().post(body["checkout_url"], {"code": code}).status_code

    statuses = race(*(lambda body=body: book(body) for body in holds))
    assert sorted(statuses) == [302, 302] + [400] * (RACERS - 2), statuses
    assert credits.balance_of(purchase) == 0
    confirmed = Booking.objects.filter(reference__in=[b["id"] for b in holds], status="confirmed")
    assert confirmed.count() == 2
    assert set(CreditEntry.objects.filter(kind="used", booking__in=confirmed).values_list("booking", flat=True)) \
        == set(confirmed.values_list("pk", flat=True))
    assert Booking.objects.filter(reference__in=[b["id"] for b in holds], status="held").count() == RACERS - 2


def _booked_elsewhere(service, monday):
    body = hold(Client(), service, ny(monday + timedelta(weeks=8), 10), email="other@example.com")
    return Booking.objects.get(reference=body["id"])
