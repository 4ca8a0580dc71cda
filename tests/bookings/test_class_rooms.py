"""A class that needs a room: a new session takes a free room of the pool and keeps it; its seats need none."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory, pool_of
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.attendance import cancel_short_sessions
from wagtail_booking.bookings.availability import available_slots
from wagtail_booking.bookings.models import Booking, ClassSession
from wagtail_booking.snippets.models import TimeOff, WeeklyHours

pytestmark = pytest.mark.django_db


def client(n=0):
    return services.ClientDetails(name=f"Client {n}", email=f"client{n}@example.com", timezone="America/New_York")


def offered(service, day):
    """{"HH:MM": seats left} of the day's starts."""
    slots = available_slots(service, ny(day, 0), ny(day, 23, 59))
    return {slot.start.astimezone(ny(day, 0).tzinfo).strftime("%H:%M"): slot.seats_left for slot in slots}


@pytest.fixture
def rooms():
    return ResourceFactory(name="Studio A"), ResourceFactory(name="Studio B")


@pytest.fixture
def yoga(rooms):
    return ServiceFactory(name="Yoga", capacity=4, max_seats_per_booking=2, duration_minutes=60,
                          slot_interval_minutes=60, providers=[ProviderFactory(), ProviderFactory(), ProviderFactory()],
                          resource_pool=pool_of(*rooms, name="Studios"))


def test_a_class_with_a_pool_is_a_valid_service(yoga):
    yoga.full_clean()  # no "cannot need a room" any more
    with pytest.raises(ValidationError) as invalid:
        ServiceFactory.build(capacity=4, max_seats_per_booking=5, resource_pool=yoga.resource_pool).full_clean()
    assert "max_seats_per_booking" in invalid.value.message_dict and "resource_pool" not in invalid.value.message_dict


def test_a_new_session_takes_the_lowest_free_room_and_its_seats_join_it(yoga, rooms, monday):
    first = services.create_hold(yoga, ny(monday, 10), client(1), seats=2)
    session = first.session
    assert session.resource == rooms[0] and first.resource is None  # the session holds the room, not the seat
    second = services.create_hold(yoga, ny(monday, 10), client(2), seats=2)
    assert second.session == session and session.resource == rooms[0]
    # Full: the next client opens a second session, with another provider, in the other room.
    third = services.create_hold(yoga, ny(monday, 10), client(3))
    assert third.session != session and third.session.resource == rooms[1]
    assert third.session.provider != session.provider
    assert offered(yoga, monday)["10:00"] == 3  # the second session's seats; no third room for a third session
    fourth = services.create_hold(yoga, ny(monday, 10), client(4), seats=2)
    assert fourth.session == third.session
    with pytest.raises(services.SlotUnavailable) as refused:  # a provider is free, no room is
        services.create_hold(yoga, ny(monday, 10), client(5), seats=2)
    assert [slot.start for slot in refused.value.alternatives] == [ny(monday, hour) for hour in (11, 12, 13)]
    assert all(slot.resource_id == rooms[0].pk for slot in refused.value.alternatives)
    assert ClassSession.objects.filter(status="scheduled").count() == 2


def test_slots_need_a_free_provider_and_a_free_room(yoga, rooms, monday):
    room_a, room_b = rooms
    for room in rooms:  # the studios open 12:00-15:00, the providers work 9-17
        WeeklyHours.objects.filter(provider=room).delete()
        WeeklyHours.objects.create(provider=room, weekday=monday.weekday(), opens=time(12), closes=time(15))
    assert offered(yoga, monday) == {"12:00": 4, "13:00": 4, "14:00": 4}
    TimeOff.objects.create(provider=room_a, starts_at=ny(monday, 12), ends_at=ny(monday, 15))
    TimeOff.objects.create(provider=room_b, starts_at=ny(monday, 13), ends_at=ny(monday, 14))
    assert offered(yoga, monday) == {"12:00": 4, "14:00": 4}
    with pytest.raises(services.SlotUnavailable):
        services.create_hold(yoga, ny(monday, 13), client())
    # An existing session is still offered while its seats last, whatever its room's other bookings.
    booked = services.create_hold(yoga, ny(monday, 12), client(), seats=2)
    assert booked.session.resource == room_b
    assert offered(yoga, monday) == {"12:00": 2, "14:00": 4}


def test_a_one_to_one_room_service_and_a_class_never_share_a_room(rooms, monday):
    studio = pool_of(rooms[0], name="One studio")
    staff = [ProviderFactory(), ProviderFactory()]
    yoga = ServiceFactory(capacity=6, duration_minutes=60, slot_interval_minutes=30, providers=staff,
                          resource_pool=studio)
    massage = ServiceFactory(duration_minutes=60, slot_interval_minutes=30, buffer_after_minutes=30,
                             providers=[ProviderFactory()], resource_pool=studio)
    services.create_hold(massage, ny(monday, 10), client(1))  # the studio until 11:30, cleaning included
    assert {"09:30", "10:00", "10:30", "11:00"}.isdisjoint(offered(yoga, monday))
    assert {"09:00", "11:30"} <= set(offered(yoga, monday))
    with pytest.raises(services.SlotUnavailable):
        services.create_hold(yoga, ny(monday, 11), client(2))
    services.create_hold(yoga, ny(monday, 14), client(3))  # the class holds the studio 14:00-15:00
    assert {"13:00", "13:30", "14:00", "14:30"}.isdisjoint(available_starts(massage, monday))
    assert "15:00" in available_starts(massage, monday)
    with pytest.raises(services.SlotUnavailable):
        services.create_hold(massage, ny(monday, 14, 30), client(4))
    # Staff cannot put either in the studio while the other holds it, even outside hours.
    with pytest.raises(services.SlotUnavailable, match="One studio"):
        services.create_by_staff(yoga, staff[1], ny(monday, 10, 30), client(5))
    with pytest.raises(services.SlotUnavailable, match="One studio"):
        services.create_by_staff(massage, massage.providers.get(), ny(monday, 14), client(6))


def available_starts(service, day):
    return {slot.start.astimezone(ny(day, 0).tzinfo).strftime("%H:%M")
            for slot in available_slots(service, ny(day, 0), ny(day, 23, 59))}


def test_staff_open_a_session_in_a_free_room_outside_its_hours(yoga, rooms, monday):
    provider = yoga.providers.order_by("pk").first()
    evening = ny(monday, 19)  # the providers and the studios close at 17:00
    booking = services.create_by_staff(yoga, provider, evening, client(1))
    assert booking.session.resource == rooms[0] and booking.resource is None
    again = services.create_by_staff(yoga, provider, evening, client(2))
    assert again.session == booking.session  # joining needs no new room
    services.create_by_staff(yoga, yoga.providers.order_by("pk")[1], evening, client(3))
    with pytest.raises(services.SlotUnavailable, match="Studios"):
        services.create_by_staff(yoga, yoga.providers.order_by("pk")[2], evening, client(4))


def test_a_class_cancelled_for_too_few_seats_frees_its_room(rooms, monday, time_machine):
    studio = pool_of(rooms[0], name="One studio")
    pilates = ServiceFactory(capacity=8, min_attendance=3, min_attendance_cutoff_hours=12, duration_minutes=60,
                             slot_interval_minutes=60, providers=[ProviderFactory()], resource_pool=studio)
    massage = ServiceFactory(duration_minutes=60, slot_interval_minutes=60, minimum_notice_minutes=0,
                             providers=[ProviderFactory()], resource_pool=studio)
    short = services.create_hold(pilates, ny(monday, 10), client(1))
    assert "10:00" not in available_starts(massage, monday)
    time_machine.move_to(ny(monday, 9) - timedelta(hours=1))
    assert cancel_short_sessions() == 1
    short.refresh_from_db()
    assert short.session.status == ClassSession.Status.CANCELLED and short.status == Booking.Status.CANCELLED
    assert "10:00" in available_starts(massage, monday)
    moved_in = services.create_hold(massage, ny(monday, 10), client(2))
    assert moved_in.resource == rooms[0]


def test_a_months_search_takes_seven_queries_whatever_is_booked(yoga, monday, django_assert_num_queries):
    def search():
        return available_slots(yoga, ny(monday, 0), ny(monday, 0) + timedelta(days=30))

    with django_assert_num_queries(7):  # providers 3, rooms 3, sessions 1
        search()
    for n in range(8):
        services.create_hold(yoga, ny(monday + timedelta(days=n % 4), 9 + n), client(n), seats=1 + n % 2)
    with django_assert_num_queries(7):
        assert search()
