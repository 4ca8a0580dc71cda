"""A provider's classes and their one-to-one appointments never overlap, in the times offered and in the writes."""

from datetime import timedelta

import pytest

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.availability import available_slots
from wagtail_booking.bookings.models import Booking, ClassSession

pytestmark = pytest.mark.django_db
CLIENT = services.ClientDetails(name="Ann", email="ann@example.com", timezone="America/New_York")


@pytest.fixture
def provider():
    return ProviderFactory()


@pytest.fixture
def yoga(provider):
    return ServiceFactory(providers=[provider], capacity=10, max_seats_per_booking=2, duration_minutes=60,
                          slot_interval_minutes=30, buffer_after_minutes=15)


@pytest.fixture
def massage(provider):
    return ServiceFactory(providers=[provider], duration_minutes=45, slot_interval_minutes=15)


def starts(service, monday):
    return [slot.start for slot in available_slots(service, ny(monday, 0), ny(monday, 23, 59))]


def overlaps(first_start, first_minutes, second_start, second_minutes):
    return (first_start < second_start + timedelta(minutes=second_minutes)
            and second_start < first_start + timedelta(minutes=first_minutes))


def test_a_class_takes_its_time_and_buffer_from_the_providers_other_services(yoga, massage, monday):
    services.create_hold(yoga, ny(monday, 10), CLIENT, seats=2)  # 10:00-11:00, busy until 11:15
    offered = starts(massage, monday)
    assert not [s for s in offered if overlaps(s, 45, ny(monday, 10), 75)]
    assert ny(monday, 9, 15) in offered and ny(monday, 11, 15) in offered  # right up to the class and after
    with pytest.raises(services.SlotUnavailable):
        services.create_hold(massage, ny(monday, 10, 30), CLIENT)
    # seats in the class keep being sold: they are not the provider's one-to-one bookings
    services.create_hold(yoga, ny(monday, 10), CLIENT, seats=2)
    assert ClassSession.objects.get().seats_taken == 4


def test_an_appointment_takes_its_time_from_the_providers_classes(yoga, massage, monday):
    services.create_hold(massage, ny(monday, 14), CLIENT)  # 14:00-14:45
    offered = starts(yoga, monday)
    assert not [s for s in offered if overlaps(s, 75, ny(monday, 14), 45)]
    assert ny(monday, 12, 30) in offered and ny(monday, 15) in offered
    with pytest.raises(services.SlotUnavailable):
        services.create_hold(yoga, ny(monday, 13, 30), CLIENT)
    assert not ClassSession.objects.exists()  # nothing half-written
    assert Booking.objects.count() == 1
