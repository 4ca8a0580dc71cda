"""A service that needs a room: slots only when the provider and a room are free; each booking holds one room."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory, pool_of
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.availability import available_slots
from wagtail_booking.bookings.models import Booking, ClassSession
from wagtail_booking.bookings.services import ClientDetails, SlotUnavailable
from wagtail_booking.snippets.models import DateOverride, TimeOff, WeeklyHours

pytestmark = pytest.mark.django_db


def client(n=0):
    return ClientDetails(name=f"Client {n}", email=f"client{n}@example.com", timezone="America/New_York")


def day_starts(service, day, providers=None):
    slots = available_slots(service, ny(day, 0), ny(day, 23, 59), providers)
    return {slot.start.astimezone(ny(day, 0).tzinfo).strftime("%H:%M") for slot in slots}


@pytest.fixture
def rooms():
    return ResourceFactory(name="Room A"), ResourceFactory(name="Room B")


@pytest.fixture
def massage(rooms):
    return ServiceFactory(name="Massage", duration_minutes=60, slot_interval_minutes=60,
                          providers=[ProviderFactory(), ProviderFactory(), ProviderFactory()],
                          resource_pool=pool_of(*rooms))


def test_bookings_take_the_lowest_free_room_and_the_third_is_refused(massage, rooms, monday):
    first = services.create_hold(massage, ny(monday, 10), client(1))
    second = services.create_hold(massage, ny(monday, 10), client(2))
    assert (first.resource, second.resource) == rooms
    assert first.provider != second.provider
    assert "10:00" not in day_starts(massage, monday)  # a provider is free, no room is
    with pytest.raises(SlotUnavailable) as refused:
        services.create_hold(massage, ny(monday, 10), client(3))
    assert refused.value.alternatives and all(slot.resource_id for slot in refused.value.alternatives)
    assert Booking.objects.filter(start=ny(monday, 10)).count() == 2


def test_resource_hours_overrides_and_time_off_close_slots(massage, rooms, monday):
    room_a, room_b = rooms
    for room in rooms:
        WeeklyHours.objects.filter(provider=room).delete()
        WeeklyHours.objects.create(provider=room, weekday=monday.weekday(), opens=time(12), closes=time(15))
    assert day_starts(massage, monday) == {"12:00", "13:00", "14:00"}  # the providers work 9-17, the rooms 12-15
    TimeOff.objects.create(provider=room_a, starts_at=ny(monday, 12), ends_at=ny(monday, 15))
    assert day_starts(massage, monday) == {"12:00", "13:00", "14:00"}  # room B still free
    TimeOff.objects.create(provider=room_b, starts_at=ny(monday, 13), ends_at=ny(monday, 14))
    assert day_starts(massage, monday) == {"12:00", "14:00"}
    DateOverride.objects.create(provider=room_b, date=monday, closed=True)
    assert day_starts(massage, monday) == set()


def test_buffers_keep_the_room_busy(rooms, monday):
    service = ServiceFactory(duration_minutes=60, slot_interval_minutes=30, buffer_after_minutes=30,
                             providers=[ProviderFactory(), ProviderFactory()], resource_pool=pool_of(rooms[0]))
    services.create_hold(service, ny(monday, 10), client())
    # 10:00-11:00 plus 30 minutes of cleaning: the room is free again for a booking starting at 11:30.
    assert {"10:30", "11:00"}.isdisjoint(day_starts(service, monday)) and "11:30" in day_starts(service, monday)


def test_a_room_used_elsewhere_is_busy(massage, rooms, monday):
    room_a, room_b = rooms
    other = ServiceFactory(providers=[ProviderFactory()])
    BookingFactory(service=other, provider=other.providers.first(), start=ny(monday, 10), resource=room_a)
    session_service = ServiceFactory(capacity=5, providers=[ProviderFactory()])
    ClassSession.objects.create(service=session_service, provider=session_service.providers.first(),
                                resource=room_b, start=ny(monday, 10), end=ny(monday, 11),
                                blocked_start=ny(monday, 10), blocked_end=ny(monday, 11), capacity=5)
    assert "10:00" not in day_starts(massage, monday) and "11:00" in day_starts(massage, monday)


def test_inactive_rooms_and_empty_pools_offer_nothing(massage, rooms, monday):
    for room in rooms:
        room.active = False
        room.save()
    assert day_starts(massage, monday) == set()


def test_moving_keeps_the_room_when_free_else_takes_another(massage, rooms, monday):
    room_a, room_b = rooms
    booking = services.create_hold(massage, ny(monday, 10), client(1))
    assert booking.resource == room_a
    services.reschedule(booking, ny(monday, 11), by="staff")
    booking.refresh_from_db()
    assert booking.resource == room_a and booking.start == ny(monday, 11)
    TimeOff.objects.create(provider=room_a, starts_at=ny(monday, 14), ends_at=ny(monday, 15))
    services.reschedule(booking, ny(monday, 14), by="staff")
    booking.refresh_from_db()
    assert booking.resource == room_b
    TimeOff.objects.create(provider=room_b, starts_at=ny(monday, 16), ends_at=ny(monday, 17))
    TimeOff.objects.create(provider=room_a, starts_at=ny(monday, 16), ends_at=ny(monday, 17))
    with pytest.raises(SlotUnavailable) as refused:
        services.reschedule(booking, ny(monday, 16), by="staff")
    assert refused.value.alternatives
    booking.refresh_from_db()
    assert booking.start == ny(monday, 14) and booking.resource == room_b


def test_staff_booking_takes_a_free_room_even_out_of_hours_but_never_a_busy_one(massage, rooms, monday):
    provider = massage.providers.order_by("pk").first()
    late = services.create_by_staff(massage, provider, ny(monday, 18), client(1))
    assert late.resource == rooms[0]
    for n, room in enumerate(rooms):
        other = ServiceFactory(providers=[ProviderFactory()])
        BookingFactory(service=other, provider=other.providers.first(), start=ny(monday, 12), resource=room,
                       client_email=f"other{n}@example.com")
    with pytest.raises(SlotUnavailable) as refused:
        services.create_by_staff(massage, provider, ny(monday, 12), client(2))
    assert "Treatment rooms" in refused.value.message


def test_an_expired_hold_is_revived_in_another_room_or_refused(massage, rooms, monday, settings):
    room_a, room_b = rooms
    hold = services.create_hold(massage, ny(monday, 10), client(1))
    Booking.objects.filter(pk=hold.pk).update(status=Booking.Status.HELD, deposit_due=10,
                                                  hold_expires_at=timezone.now() - timedelta(minutes=1))
    hold.refresh_from_db()
    # After the hold expired, a facial took room A at 10:00 (the expired hold no longer counted).
    facial = ServiceFactory(duration_minutes=60, providers=[ProviderFactory()], resource_pool=pool_of(room_a))
    assert services.create_hold(facial, ny(monday, 10), client(2)).resource == room_a
    services.complete_hold(hold)
    hold.refresh_from_db()
    assert hold.status == Booking.Status.CONFIRMED and hold.resource == room_b
    # Had room B gone too, the payment could not be kept.
    late = services.create_hold(massage, ny(monday, 14), client(3))
    Booking.objects.filter(pk=late.pk).update(status=Booking.Status.HELD, deposit_due=10,
                                                  hold_expires_at=timezone.now() - timedelta(minutes=1))
    facial.resource_pool = massage.resource_pool
    facial.save()
    facial.providers.add(ProviderFactory())
    services.create_hold(facial, ny(monday, 14), client(4))
    services.create_hold(facial, ny(monday, 14), client(5))
    with pytest.raises(SlotUnavailable):
        services.complete_hold(late)
    late.refresh_from_db()
    assert late.status == Booking.Status.EXPIRED
