"""Moving a seat booking to another class of its provider: all its seats go, or (the class there is full) none."""

from datetime import UTC, date

import pytest

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import ClassSession
from wagtail_booking.bookings.tokens import manage_token

pytestmark = pytest.mark.django_db


def client(name):
    return services.ClientDetails(name=name, email=f"{name.lower()}@example.com", timezone="America/New_York")


@pytest.fixture
def yoga():
    return ServiceFactory(name="Yoga", capacity=3, max_seats_per_booking=3, duration_minutes=60,
                          slot_interval_minutes=60, providers=[ProviderFactory(name="Ines")])


def test_a_seat_booking_moves_to_another_class_or_stays_when_that_class_is_full(yoga, monday):
    ann = services.create_hold(yoga, ny(monday, 10), client("Ann"), seats=2)
    services.create_hold(yoga, ny(monday, 11), client("Bob"), seats=2)
    first = ann.session
    with pytest.raises(services.SlotUnavailable, match="only 1 seat is left"):
        services.reschedule(ann, ny(monday, 11))
    ann.refresh_from_db()
    assert ann.session_id == first.pk and ClassSession.objects.get(pk=first.pk).seats_taken == 2
    services.reschedule(ann, ny(monday, 12))
    ann.refresh_from_db()
    assert ann.start == ny(monday, 12) and ann.seats == 2 and ann.session.seats_taken == 2
    emptied = ClassSession.objects.get(pk=first.pk)
    assert emptied.seats_taken == 0 and emptied.status == ClassSession.Status.CANCELLED  # its provider is free again


def test_the_manage_page_offers_the_classes_with_room_for_all_the_seats(client, yoga):
    day = date(2027, 3, 15)  # within the manage page's two weeks of times
    ann = services.create_hold(yoga, ny(day, 10), client_of("Ann"), seats=2)
    services.create_hold(yoga, ny(day, 11), client_of("Bob"), seats=2)
    url = f"/booking/manage/{ann.reference}/{manage_token(ann)}/"
    page = client.get(url).content.decode()
    noon, eleven = (ny(day, hour).astimezone(UTC).isoformat() for hour in (12, 11))
    assert f'<option value="{noon}|' in page  # a new class at 12:00 has room for two
    assert f'<option value="{eleven}|' not in page  # 11:00 has one seat left
    response = client.post(url, {"action": "reschedule", "slot": f"{noon}|{ann.provider_id}", "confirm": "yes"})
    assert response.status_code == 200 and "Your booking has been moved" in response.content.decode()
    ann.refresh_from_db()
    assert ann.start == ny(day, 12) and ann.session.seats_taken == 2


def client_of(name):
    return client(name)
