"""The database's own guarantees for classes and resources (migration 0030), whatever code writes the rows.

Rows are written straight to the tables here, past the booking code, as a buggy integration or a hand-written
script would: each refusal must come from the database itself, on PostgreSQL and on SQLite alike.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking, ClassSession
from wagtail_booking.snippets.models import Provider

pytestmark = pytest.mark.django_db


def session_of(service, provider, start, capacity=3, resource=None):
    end = start + timedelta(minutes=service.duration_minutes)
    return ClassSession.objects.create(site_id=service.site_id, service=service, provider=provider, start=start,
                                       end=end, blocked_start=start, blocked_end=end, capacity=capacity,
                                       resource=resource)


def seat(session, seats=1, status=Booking.Status.CONFIRMED):
    return BookingFactory(service=session.service, provider=session.provider, start=session.start, session=session,
                          seats=seats, status=status)


def refused(action, rule):
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        action()
    assert rule in str(caught.value)


def seats_taken(session):
    session.refresh_from_db()
    return session.seats_taken


def test_seats_are_counted_and_never_oversold(monday):
    provider = ProviderFactory()
    session = session_of(ServiceFactory(providers=[provider], capacity=3), provider, ny(monday, 18), capacity=3)
    seat(session, seats=2)
    assert seats_taken(session) == 2
    refused(lambda: seat(session, seats=2), "seats_within_capacity")
    assert seats_taken(session) == 2 and session.bookings.count() == 1  # nothing half-written
    seat(session, seats=1)
    assert seats_taken(session) == 3
    refused(lambda: seat(session), "seats_within_capacity")


def test_seats_come_back_when_a_booking_stops_being_live(monday):
    provider = ProviderFactory()
    session = session_of(ServiceFactory(providers=[provider], capacity=2), provider, ny(monday, 18), capacity=2)
    held = seat(session, seats=2, status=Booking.Status.HELD)
    assert seats_taken(session) == 2
    Booking.objects.filter(pk=held.pk).update(status=Booking.Status.EXPIRED)  # a queryset write, no save()
    assert seats_taken(session) == 0
    kept = seat(session, seats=1)
    kept.status = Booking.Status.CANCELLED
    kept.save()
    assert seats_taken(session) == 0
    seat(session, seats=2)
    assert seats_taken(session) == 2
    Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED).delete()
    assert seats_taken(session) == 0


def test_a_session_keeps_its_provider_from_one_to_one_bookings(monday):
    provider = ProviderFactory()
    group = ServiceFactory(providers=[provider], capacity=10, duration_minutes=60)
    single = ServiceFactory(providers=[provider], duration_minutes=30)
    session_of(group, provider, ny(monday, 10))
    refused(lambda: BookingFactory(service=single, provider=provider, start=ny(monday, 10, 30)), "no_overlap")
    BookingFactory(service=single, provider=provider, start=ny(monday, 11))  # after the class: free
    # and the other way round: a class over a booked appointment
    refused(lambda: session_of(group, provider, ny(monday, 10, 45)), "no_overlap")
    # seats in the class do not count as the provider's one-to-one bookings
    session = ClassSession.objects.get()
    seat(session)
    seat(session)
    assert seats_taken(session) == 2


def test_a_resource_is_held_by_one_live_booking_at_a_time(monday):
    room = Provider.objects.create(name="Room 1", kind=Provider.Kind.RESOURCE, timezone="America/New_York")
    first, second = ProviderFactory(), ProviderFactory()
    service = ServiceFactory(providers=[first, second], duration_minutes=60)
    booking = BookingFactory(service=service, provider=first, start=ny(monday, 10), resource=room)
    refused(lambda: BookingFactory(service=service, provider=second, start=ny(monday, 10, 30), resource=room),
            "no_overlap")
    # a class in the room, or the room booked directly as a provider, is refused too
    group = ServiceFactory(providers=[second], capacity=5)
    refused(lambda: session_of(group, second, ny(monday, 10), resource=room), "no_overlap")
    refused(lambda: BookingFactory(service=service, provider=room, start=ny(monday, 10)), "no_overlap")
    booking.status = Booking.Status.CANCELLED
    booking.save()
    BookingFactory(service=service, provider=second, start=ny(monday, 10, 30), resource=room)
