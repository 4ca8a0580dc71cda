"""Staff plus room under concurrency: two services share one pool of 2 rooms; never 3 appointments at once."""

from datetime import timedelta

import pytest

from tests.bookings.test_concurrency import body, race_holds
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory, pool_of
from tests.helpers import ny
from wagtail_booking.bookings.availability import available_slots
from wagtail_booking.bookings.models import Booking

CLIENTS = 24


@pytest.fixture
def two_services_one_pool():
    pool = pool_of(ResourceFactory(name="Room A"), ResourceFactory(name="Room B"))
    staff = [ProviderFactory() for _ in range(6)]
    massage = ServiceFactory(name="Massage", duration_minutes=60, providers=staff[:3], resource_pool=pool)
    facial = ServiceFactory(name="Facial", duration_minutes=60, providers=staff[3:], resource_pool=pool)
    return massage, facial, staff


def live_at(start):
    return Booking.objects.filter(status="confirmed", blocked_start__lt=start + timedelta(hours=1),
                                  blocked_end__gt=start)


@pytest.mark.django_db(transaction=True)
def test_many_clients_two_rooms_exactly_two_win(two_services_one_pool, monday):
    massage, facial, _staff = two_services_one_pool
    start = ny(monday, 10)
    bodies = []
    for index in range(CLIENTS):
        service = massage if index % 2 else facial
        request = body(service, start, index)
        if index % 3 == 0:  # a third name one of the service's providers, in turn; the rest take anyone free
            request["provider"] = list(service.providers.order_by("pk"))[(index // 3) % 3].pk
        bodies.append(request)
    results = race_holds(bodies)
    codes = [code for code, _ in results]
    assert codes.count(201) == 2 and codes.count(409) == CLIENTS - 2, codes
    assert all(payload["alternatives"] for code, payload in results if code == 409)
    booked = list(live_at(start))
    assert len(booked) == 2
    assert len({b.resource_id for b in booked}) == 2 and len({b.provider_id for b in booked}) == 2
    # The slots agree with the database: 10:00 is gone for both services, 11:00 is still offered.
    for service in (massage, facial):
        offered = {slot.start for slot in available_slots(service, ny(monday, 9), ny(monday, 13))}
        assert start not in offered and ny(monday, 11) in offered


@pytest.mark.django_db(transaction=True)
def test_overlapping_starts_never_three_rooms_at_once(two_services_one_pool, monday):
    massage, facial, _staff = two_services_one_pool
    for service in (massage, facial):
        service.slot_interval_minutes = 15
        service.save()
    # Starts from 10:00 to 10:45: any two overlap; six providers are free, two rooms.
    starts = [ny(monday, 10) + timedelta(minutes=15 * (i % 4)) for i in range(CLIENTS)]
    results = race_holds([body(massage if i % 2 else facial, start, i) for i, start in enumerate(starts)])
    codes = [code for code, _ in results]
    assert codes.count(201) == 2 and codes.count(409) == CLIENTS - 2, codes
    booked = list(Booking.objects.filter(status="confirmed"))
    assert len({b.resource_id for b in booked}) == 2
