"""Series racing single bookings and each other, each on its own connection: a date is never booked twice and a
series that loses is written not at all (all-or-nothing) or without that date (skip)."""

import functools
import json
from datetime import date, timedelta

import pytest
from django.test import Client

from tests.bookings.racing import race
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking, BookingSeries

THU = date(2027, 3, 11)
pytestmark = pytest.mark.django_db(transaction=True)


def post(url, body, index):
    response = Client(REMOTE_ADDR=f"10.0.1.{index}").post(url, data=json.dumps(body),
                                                           content_type="application/json")
    return response.status_code, response.json()


def series_body(service, index, on_conflict):
    return {"service": service.pk, "start": ny(THU, 10).isoformat(), "timezone": "America/New_York", "count": 4,
            "name": f"Series {index}", "email": f"series{index}@example.com", "on_conflict": on_conflict}


def hold_body(service, start, index):
    return {"service": service.pk, "start": start.isoformat(), "name": f"Single {index}",
            "email": f"single{index}@example.com", "timezone": "America/New_York"}


@pytest.mark.parametrize("on_conflict", ["all_or_nothing", "skip"])
def test_series_race_each_other_and_single_bookings_no_date_twice_nothing_half_written(on_conflict):
    service = ServiceFactory(providers=[ProviderFactory()], allow_series=True)
    third = ny(THU + timedelta(weeks=2), 10)
    actions = [functools.partial(post, "/booking/api/series", series_body(service, i, on_conflict), i)
               for i in range(4)]
    actions += [functools.partial(post, "/booking/api/holds", hold_body(service, third, i), 10 + i)
                for i in range(4)]
    results = race(*actions)
    assert all(not isinstance(result, Exception) for result in results), results
    codes = [code for code, _body in results]
    assert set(codes) <= {201, 409}, results
    live = Booking.objects.filter(status="confirmed")
    starts = list(live.values_list("start", flat=True))
    assert len(starts) == len(set(starts))  # no date twice, whoever won
    assert codes[4:].count(201) <= 1
    for index, (code, body) in enumerate(results[:4]):
        written = Booking.objects.filter(client_email=f"series{index}@example.com")
        if code == 201:
            assert written.count() == len(body["bookings"]) >= 1
        else:
            assert written.count() == 0 and body["detail"]
    for row in BookingSeries.objects.all():  # every series row has its bookings: none half-written
        assert row.bookings.exists()
    if on_conflict == "all_or_nothing":
        series_winners = codes[:4].count(201)
        assert series_winners <= 1
        if series_winners:
            assert codes[4:].count(201) == 0 and live.count() == 4


@pytest.mark.parametrize("on_conflict", ["all_or_nothing", "skip"])
def test_series_of_a_room_service_racing_another_service_of_the_pool_never_doubles_a_room(on_conflict):
    from tests.factories.resources import ResourceFactory, pool_of

    pool = pool_of(ResourceFactory(name="Room A"))
    massage = ServiceFactory(name="Massage", duration_minutes=60, providers=[ProviderFactory()], allow_series=True,
                             resource_pool=pool)
    facial = ServiceFactory(name="Facial", duration_minutes=60, providers=[ProviderFactory(), ProviderFactory()],
                            resource_pool=pool)
    # Facials (other providers, the same one room) at the series' second and third dates, and overlapping them.
    contested = [ny(THU + timedelta(weeks=week), hour, minute) for week in (1, 2) for hour, minute in ((10, 0),
                                                                                                      (10, 30))]
    actions = [functools.partial(post, "/booking/api/series", series_body(massage, i, on_conflict), i)
               for i in range(3)]
    actions += [functools.partial(post, "/booking/api/holds", hold_body(facial, start, i), 10 + i)
                for i, start in enumerate(contested)]
    results = race(*actions)
    assert all(not isinstance(result, Exception) for result in results), results
    codes = [code for code, _body in results]
    assert set(codes) <= {201, 409}, results
    live = list(Booking.objects.filter(status="confirmed").order_by("blocked_start"))
    assert all(row.resource_id == pool.resources.get().pk for row in live)  # every booking holds the room
    for before, after in zip(live, live[1:], strict=False):  # and never two at once
        assert before.blocked_end <= after.blocked_start, (before, after)
    for index, (code, body) in enumerate(results[:3]):  # a series is written whole (as answered) or not at all
        written = Booking.objects.filter(client_email=f"series{index}@example.com")
        assert written.count() == (len(body["bookings"]) if code == 201 else 0)
        if code == 201 and on_conflict == "all_or_nothing":
            assert written.count() == 4
        # Under the pool's locks the re-check sees the room taken and names the date; the database's no-overlap
        # constraint (a bare "just taken") stays the last resort it is for single bookings.
        assert code == 201 or "just taken" not in body["detail"], body
