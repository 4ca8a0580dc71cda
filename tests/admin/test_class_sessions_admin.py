"""Staff see a class as one calendar entry with its seats taken, and a seat booking's page names its class."""

from datetime import timedelta
from html import unescape

import pytest

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import services

pytestmark = pytest.mark.django_db
FEED = "/admin/booking/calendar/feed/"


def seat(service, start, name, seats):
    return services.create_hold(service, start, services.ClientDetails(name=name, email=f"{name}@example.com",
                                                                       timezone="America/New_York"), seats=seats)


@pytest.fixture
def yoga():
    return ServiceFactory(name="Yoga", providers=[ProviderFactory()], capacity=12, max_seats_per_booking=3,
                          duration_minutes=60, slot_interval_minutes=60)


def test_the_calendar_shows_a_class_once_with_its_seats_taken(admin_client, yoga, monday):
    seat(yoga, ny(monday, 10), "ann", 2)
    seat(yoga, ny(monday, 10), "bob", 3)
    provider = yoga.providers.get()
    BookingFactory(service=ServiceFactory(providers=[provider]), provider=provider, start=ny(monday, 12))
    events = admin_client.get(FEED, {"start": f"{monday.isoformat()}T00:00:00",
                                     "end": f"{(monday + timedelta(days=7)).isoformat()}T00:00:00",
                                     "providers": str(provider.pk)}).json()
    titles = [event["title"] for event in events]
    assert "Class · Yoga · 5 of 12 seats taken" in titles
    assert not any("ann" in title or "bob" in title for title in titles)  # not one entry per seat booking
    assert len(events) == 2  # the class and the other service's appointment


def test_a_seat_bookings_page_shows_its_seats_and_the_rest_of_the_class(admin_client, yoga, monday):
    ann = seat(yoga, ny(monday, 10), "ann", 2)
    seat(yoga, ny(monday, 10), "bob", 3)
    html = unescape(admin_client.get(f"/admin/bookings/inspect/{ann.pk}/").content.decode())
    assert "2 seats" in html and "5 of 12 seats taken" in html
    assert "bob (3 seats)" in html and "ann (2 seats)" not in html
