"""A series of a service that needs a room: each date needs the provider and a room free, and each occurrence
holds the lowest free room; a date whose rooms are all taken is a conflict saying so."""

from datetime import date, timedelta

import pytest

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory, pool_of
from tests.helpers import NY, ny
from wagtail_booking.bookings import series, services
from wagtail_booking.bookings.models import Booking, BookingSeries
from wagtail_booking.snippets.models import TimeOff

pytestmark = pytest.mark.django_db

CLIENT = services.ClientDetails(name="Ann Client", email="ann@example.com", timezone="America/New_York")
THU = date(2027, 3, 11)
WEEK = timedelta(weeks=1)


def local(moment):
    return moment.astimezone(NY).strftime("%a %d %b %H:%M")


@pytest.fixture
def room_a():
    return ResourceFactory(name="Room A")


@pytest.fixture
def massage(room_a):
    """A 60-minute massage with Maya, on the grid every 30 minutes; the pool has one room unless a test adds one."""
    return ServiceFactory(name="Massage", duration_minutes=60, providers=[ProviderFactory(name="Maya")],
                          allow_series=True, resource_pool=pool_of(room_a))


def maya(service):
    return service.providers.get()


def facial_in(room, start):
    """Another service's appointment, with another provider, holding ``room``."""
    facial = ServiceFactory(name="Facial", duration_minutes=60, providers=[ProviderFactory()])
    return BookingFactory(service=facial, provider=facial.providers.get(), start=start, resource=room)


def rule(service, count=4, hour=10):
    return series.rule_for(service, maya(service), ny(THU, hour), count=count)


def add_room(service, room):
    pool = service.resource_pool
    pool.resources.add(room)
    pool.save()  # a ParentalManyToManyField is written when its parent is saved


def booked_rooms(booked):
    return [(local(row.start), row.resource.name) for row in booked.bookings.order_by("start")]


def test_each_date_takes_the_lowest_free_room(massage, room_a):
    room_b = ResourceFactory(name="Room B")
    add_room(massage, room_b)
    facial_in(room_a, ny(THU + WEEK, 10))
    booked = series.book(massage, maya(massage), series.SeriesRequest(rule(massage)), CLIENT)
    assert booked_rooms(booked) == [("Thu 11 Mar 10:00", "Room A"), ("Thu 18 Mar 10:00", "Room B"),
                                    ("Thu 25 Mar 10:00", "Room A"), ("Thu 01 Apr 10:00", "Room A")]
    assert set(booked.bookings.values_list("status", flat=True)) == {Booking.Status.CONFIRMED}


def test_a_date_whose_only_room_is_taken_is_a_conflict_with_the_times_both_are_free(massage, room_a):
    facial_in(room_a, ny(THU + WEEK, 10))  # Maya is free then; the room is not
    BookingFactory(service=massage, provider=maya(massage), start=ny(THU + 2 * WEEK, 10))  # Maya is not
    plan = series.plan(massage, maya(massage), rule(massage))
    no_room, busy = plan.conflicts
    assert (local(no_room.start), no_room.reason, no_room.reason_text) == (
        "Thu 18 Mar 10:00", "no_room", "No room or equipment free at that time")
    # The room is taken 10:00-11:00: the nearest starts where Maya and the room are both free for an hour.
    assert [local(alt.start) for alt in no_room.alternatives] == [
        "Thu 18 Mar 09:00", "Thu 18 Mar 11:00", "Thu 18 Mar 11:30", "Thu 18 Mar 12:00"]
    assert {alt.resource_id for alt in no_room.alternatives} == {room_a.pk}
    assert (local(busy.start), busy.reason) == ("Thu 25 Mar 10:00", "busy")
    assert [item.slot.resource_id for item in plan.occurrences if item.is_free] == [room_a.pk, room_a.pk]


def test_all_or_nothing_refuses_and_writes_nothing(massage, room_a):
    facial_in(room_a, ny(THU + WEEK, 10))
    with pytest.raises(series.SeriesUnavailable) as refused:
        series.book(massage, maya(massage), series.SeriesRequest(rule(massage)), CLIENT)
    assert refused.value.status_code == 409 and "Thu 18 Mar" in refused.value.message
    assert [item.reason for item in refused.value.conflicts] == ["no_room"]
    assert not BookingSeries.objects.exists()
    assert not Booking.objects.filter(client_email=CLIENT.email).exists()


def test_skip_books_the_other_dates_each_with_its_room(massage, room_a):
    facial_in(room_a, ny(THU + WEEK, 10))
    booked = series.book(massage, maya(massage), series.SeriesRequest(rule(massage), on_conflict=series.SKIP),
                         CLIENT)
    assert booked_rooms(booked) == [("Thu 11 Mar 10:00", "Room A"), ("Thu 25 Mar 10:00", "Room A"),
                                    ("Thu 01 Apr 10:00", "Room A")]


def test_a_chosen_alternative_gets_the_room_free_then(massage, room_a):
    facial_in(room_a, ny(THU + WEEK, 10))
    plan = series.plan(massage, maya(massage), rule(massage, count=2))
    [conflict] = plan.conflicts
    request = series.SeriesRequest(plan.rule, replacements={conflict.start: ny(THU + WEEK, 11)})
    booked = series.book(massage, maya(massage), request, CLIENT)
    assert booked_rooms(booked) == [("Thu 11 Mar 10:00", "Room A"), ("Thu 18 Mar 11:00", "Room A")]


def test_a_room_taken_after_the_preview_is_a_409_naming_the_date(massage, room_a):
    request = series.SeriesRequest(rule(massage, count=3))
    assert not series.plan(massage, maya(massage), request.rule).conflicts
    facial_in(room_a, ny(THU + 2 * WEEK, 10))  # the race lost: a single booking took the room meanwhile
    with pytest.raises(series.SeriesUnavailable) as lost:
        series.book(massage, maya(massage), request, CLIENT)
    assert "Thu 25 Mar" in lost.value.message
    assert lost.value.conflicts[0].reason == "no_room"
    assert not BookingSeries.objects.exists()
    assert Booking.objects.filter(resource=room_a).count() == 1


def test_staff_book_a_room_out_of_hours_but_never_a_busy_one(massage, room_a):
    # 07:00: before Maya's and the room's hours; staff may book it, as a booking entered by hand.
    TimeOff.objects.create(provider=room_a, starts_at=ny(THU + WEEK, 7), ends_at=ny(THU + WEEK, 8))
    request = series.SeriesRequest(rule(massage, count=3, hour=7), on_conflict=series.SKIP)
    plan = series.plan(massage, maya(massage), request.rule, by="staff")
    assert [(local(item.start), item.reason) for item in plan.occurrences] == [
        ("Thu 11 Mar 07:00", ""), ("Thu 18 Mar 07:00", "no_room"), ("Thu 25 Mar 07:00", "")]
    booked = series.book(massage, maya(massage), request, CLIENT, by="staff")
    assert booked_rooms(booked) == [("Thu 11 Mar 07:00", "Room A"), ("Thu 25 Mar 07:00", "Room A")]


def test_plan_with_a_pool_takes_a_fixed_number_of_queries(massage, django_assert_max_num_queries):
    provider = maya(massage)
    long = series.rule_for(massage, provider, ny(THU, 10), count=massage.max_series_occurrences)
    with django_assert_max_num_queries(6):  # the provider's 3, the pool's 3
        plan = series.plan(massage, provider, long)
    assert len(plan.occurrences) == 12 and not plan.conflicts


@pytest.fixture
def two_rooms_booked(massage, room_a):
    room_b = ResourceFactory(name="Room B")
    add_room(massage, room_b)
    booked = series.book(massage, maya(massage), series.SeriesRequest(rule(massage)), CLIENT)
    return list(booked.bookings.order_by("start")), room_a, room_b


def test_moving_this_and_following_keeps_each_room_when_free_else_takes_another(two_rooms_booked):
    rows, room_a, room_b = two_rooms_booked
    first, second, third, fourth = rows
    facial_in(room_a, ny(date(2027, 3, 26), 14))  # the third's new time: room A taken, room B free
    series.move(second, ny(date(2027, 3, 19), 14), and_following=True, by="staff")
    moved = [Booking.objects.select_related("resource").get(pk=row.pk) for row in rows]
    assert [(local(row.start), row.resource.name) for row in moved] == [
        ("Thu 11 Mar 10:00", "Room A"), ("Fri 19 Mar 14:00", "Room A"), ("Fri 26 Mar 14:00", "Room B"),
        ("Fri 02 Apr 14:00", "Room A")]


def test_a_move_where_no_room_is_free_moves_nothing(two_rooms_booked):
    rows, room_a, room_b = two_rooms_booked
    for room in (room_a, room_b):
        facial_in(room, ny(date(2027, 4, 2), 14))
    with pytest.raises(series.SeriesUnavailable, match="2 Apr"):
        series.move(rows[1], ny(date(2027, 3, 19), 14), and_following=True, by="staff")
    assert [(row.start, row.resource_id) for row in Booking.objects.filter(pk__in=[r.pk for r in rows])
            .order_by("start")] == [(row.start, row.resource_id) for row in rows]


def test_moving_one_occurrence_takes_another_room_when_its_own_is_taken(two_rooms_booked):
    rows, room_a, room_b = two_rooms_booked
    facial_in(room_a, ny(date(2027, 3, 25), 15))
    [moved] = series.move(rows[2], ny(date(2027, 3, 25), 15), by="staff")
    moved.refresh_from_db()
    assert (local(moved.start), moved.resource_id) == ("Thu 25 Mar 15:00", room_b.pk)
    assert Booking.objects.get(pk=rows[3].pk).resource_id == room_a.pk
