"""Classes needing a room under concurrency: clients of two classes, or of a class and a one-to-one service, sharing
a pool of one room race for overlapping starts, each on its own connection; the room never holds two at once."""

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest

from tests.bookings.test_concurrency import body, race_holds
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory, pool_of
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking, ClassSession

CLIENTS = 24


@pytest.fixture
def studio():
    return ResourceFactory(name="Studio")


def holders(room):
    """(start, end) of everything live holding ``room``: scheduled sessions and one-to-one bookings."""
    sessions = ClassSession.objects.filter(resource=room, status="scheduled").values_list("blocked_start",
                                                                                        "blocked_end")
    bookings = Booking.objects.filter(resource=room, status__in=Booking.BLOCKING_STATUSES).values_list(
        "blocked_start", "blocked_end")
    return sorted([*sessions, *bookings])


def never_overlap(spans):
    return all(earlier[1] <= later[0] for earlier, later in pairwise(spans))


@pytest.mark.django_db(transaction=True)
def test_two_classes_sharing_one_room_never_run_at_once(studio, monday):
    pool = pool_of(studio, name="One studio")
    yoga = ServiceFactory(name="Yoga", capacity=CLIENTS, duration_minutes=60, slot_interval_minutes=15,
                          providers=[ProviderFactory() for _ in range(3)], resource_pool=pool)
    pilates = ServiceFactory(name="Pilates", capacity=CLIENTS, duration_minutes=60, slot_interval_minutes=15,
                             providers=[ProviderFactory() for _ in range(3)], resource_pool=pool)
    # Starts 10:00 to 10:45, any two overlapping; six providers free, one room.
    wanted = [(yoga if i % 2 else pilates, ny(monday, 10) + timedelta(minutes=15 * (i % 4))) for i in range(CLIENTS)]
    results = race_holds([body(service, start, i) for i, (service, start) in enumerate(wanted)])
    [session] = ClassSession.objects.filter(status="scheduled")
    assert session.resource == studio
    # Every client who asked for the class that got the room at its start is in it; everyone else was refused.
    won = Counter(wanted[i] for i, (code, _) in enumerate(results) if code == 201)
    assert won == {(session.service, session.start): wanted.count((session.service, session.start))}
    assert session.seats_taken == sum(won.values())
    assert all(code == 409 and payload["alternatives"] for (code, payload), want in zip(results, wanted, strict=True)
               if want != (session.service, session.start))
    assert never_overlap(holders(studio))


@pytest.mark.django_db(transaction=True)
def test_a_class_and_a_one_to_one_service_sharing_one_room_never_overlap_in_it(studio, monday):
    pool = pool_of(studio, name="One studio")
    yoga = ServiceFactory(name="Yoga", capacity=CLIENTS, duration_minutes=60, slot_interval_minutes=15,
                          providers=[ProviderFactory() for _ in range(3)], resource_pool=pool)
    massage = ServiceFactory(name="Massage", duration_minutes=60, slot_interval_minutes=15, buffer_after_minutes=15,
                             providers=[ProviderFactory() for _ in range(3)], resource_pool=pool)
    wanted = [(yoga if i % 2 else massage, ny(monday, 10) + timedelta(minutes=15 * (i % 4))) for i in range(CLIENTS)]
    results = race_holds([body(service, start, i) for i, (service, start) in enumerate(wanted)])
    codes = Counter(code for code, _ in results)
    assert set(codes) == {201, 409}, codes
    spans = holders(studio)
    assert len(spans) == 1 and never_overlap(spans)  # one class or one appointment holds the studio, not both
    sessions = list(ClassSession.objects.filter(status="scheduled"))
    massages = Booking.objects.filter(service=massage, status__in=Booking.BLOCKING_STATUSES).count()
    if sessions:
        [session] = sessions
        assert massages == 0 and codes[201] == session.seats_taken == wanted.count((yoga, session.start))
    else:
        assert massages == codes[201] == 1
