"""Slot search speed: one provider Mon-Fri 09:00-17:00 America/New_York, a 30-minute service every 30 minutes,
the window 2027-03-01..2027-03-30 (DST starts 2027-03-14), with 0, 100 and 1,000 confirmed bookings in the table.
Then staff plus room: the same service offered by any of 10 providers and needing one of a pool of 5 rooms, with
1,000 and 5,000 bookings spread over the providers and rooms. Then a 12-seat class needing one of the same rooms,
with 1,000 and 2,000 sessions (each with a 2-seat booking) beside as many one-to-one bookings in the pool.

Prints the median time and the SQL query count for the whole window, through the API view (Django test client,
middleware included) and through the Python call. Run on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/slots.py

Measured (1 December 2026, a shared machine with one test run beside it; medians of 50): the 10-provider, 5-room
month takes 7 queries in Python and 8 through the API for 1,000 and for 5,000 bookings. PostgreSQL, Python call:
21.6 ms with 1,000 bookings, 32.1 ms with 5,000 (API 28.0 and 38.6 ms; one provider 5.1-6.4 ms). SQLite, Python
call: 37.9 and 41.8 ms (one provider 6.1-9.0 ms).

The class with rooms (1 December 2026, a shared machine at load 3 on 2 CPUs; medians of 50): 8 queries in Python
and 9 through the API for 1,000 and for 2,000 sessions, one more than staff plus room (its sessions). PostgreSQL,
Python call: 30.1 ms with 1,000 sessions, 44.3 ms with 2,000 (API 38.3 and 54.9 ms; staff plus room measured
beside it: 19.7 and 28.3 ms). SQLite, Python call: 24.5 and 34.5 ms (API 30.3 and 40.0 ms).
"""

import sys
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_database, measure, setup  # noqa: E402

setup("bench_wagtail_booking")

from django.test import Client  # noqa: E402

NY = ZoneInfo("America/New_York")
WINDOW = (date(2027, 3, 1), date(2027, 3, 30))
REPEATS = 50


def build(booking_count):
    from wagtail_booking.bookings.models import Booking, ClassSession
    from wagtail_booking.snippets.models import Provider, Service, WeeklyHours

    Booking.objects.all().delete()
    ClassSession.objects.all().delete()
    Service.objects.all().delete()
    Provider.objects.all().delete()
    provider = Provider.objects.create(name="Bench", timezone="America/New_York")
    WeeklyHours.objects.bulk_create(
        WeeklyHours(provider=provider, weekday=day, opens=clock(9), closes=clock(17)) for day in range(5))
    service = Service.objects.create(name="Bench 30", duration_minutes=30, slot_interval_minutes=30,
                                     minimum_notice_minutes=0, booking_horizon_days=730)
    service.providers.add(provider)
    rows, day = [], date(2026, 12, 1)
    per_day = max(1, round(booking_count / 250))  # spread over about a year of weekdays
    while len(rows) < booking_count:
        if day.weekday() < 5:
            for k in range(per_day):
                start = datetime.combine(day, clock(9), tzinfo=NY) + timedelta(minutes=30 * (k * 3 + day.day % 3))
                rows.append(Booking(service=service, provider=provider, start=start, end=start + timedelta(minutes=30),
                                    blocked_start=start, blocked_end=start + timedelta(minutes=30),
                                    status="confirmed", client_name="Bench", client_email="bench@example.com",
                                    client_timezone="America/New_York"))
        day += timedelta(days=1)
    Booking.objects.bulk_create(rows[:booking_count])
    in_window = Booking.objects.filter(start__date__range=WINDOW).count()
    return service, in_window


def build_pooled(booking_count, providers=10, rooms=5):
    """``providers`` staff Mon-Fri 09:00-17:00 and a pool of ``rooms`` rooms open 08:00-18:00, one service needing
    both; bookings spread over about a year of weekdays, never two in one room or with one provider at once."""
    from wagtail_booking.bookings.models import Booking, ClassSession
    from wagtail_booking.snippets.models import Provider, Service, WeeklyHours
    from wagtail_booking.snippets.resources import ResourcePool

    Booking.objects.all().delete()
    ClassSession.objects.all().delete()
    Service.objects.all().delete()
    ResourcePool.objects.all().delete()
    Provider.objects.all().delete()
    staff = [Provider.objects.create(name=f"Bench {n}", timezone="America/New_York") for n in range(providers)]
    room_rows = [Provider.objects.create(name=f"Room {n}", kind="resource", timezone="America/New_York")
                 for n in range(rooms)]
    WeeklyHours.objects.bulk_create(
        [WeeklyHours(provider=p, weekday=day, opens=clock(9), closes=clock(17)) for p in staff for day in range(5)]
        + [WeeklyHours(provider=r, weekday=day, opens=clock(8), closes=clock(18)) for r in room_rows
           for day in range(5)])
    pool = ResourcePool.objects.create(name="Rooms")
    pool.resources.set(room_rows)
    pool.save()
    service = Service.objects.create(name="Bench room", duration_minutes=30, slot_interval_minutes=30,
                                     minimum_notice_minutes=0, booking_horizon_days=730, resource_pool=pool)
    service.providers.set(staff)
    rows, day = [], date(2026, 12, 1)
    per_day = max(1, -(-booking_count // 250))
    while len(rows) < booking_count:
        if day.weekday() < 5:
            # Booking k of the day takes half-hour k mod 16 (k and k+16 share one, with other staff and rooms).
            for k in range(per_day):
                start = datetime.combine(day, clock(9), tzinfo=NY) + timedelta(minutes=30 * (k % 16))
                rows.append(Booking(service=service, provider=staff[k % providers], resource=room_rows[k % rooms],
                                    start=start, end=start + timedelta(minutes=30), blocked_start=start,
                                    blocked_end=start + timedelta(minutes=30), status="confirmed",
                                    client_name="Bench", client_email="bench@example.com",
                                    client_timezone="America/New_York"))
        day += timedelta(days=1)
    Booking.objects.bulk_create(rows[:booking_count])
    in_window = Booking.objects.filter(start__date__range=WINDOW).count()
    return service, in_window


def build_class_pooled(session_count, providers=10, rooms=5):
    """The staff and rooms of :func:`build_pooled`, a 12-seat class needing one of the rooms, ``session_count``
    sessions of it spread over the staff and rooms (each with a 2-seat booking) and as many one-to-one bookings
    of a service sharing the pool at other times: a start is offered for an existing session with seats, or where
    a provider and a room are free."""
    from wagtail_booking.bookings.models import Booking, ClassSession
    from wagtail_booking.snippets.models import Service

    one_to_one, _in_window = build_pooled(session_count, providers, rooms)
    staff = list(one_to_one.providers.order_by("pk"))
    room_rows = list(one_to_one.resource_pool.resources.order_by("pk"))
    service = Service.objects.create(name="Bench class", duration_minutes=30, slot_interval_minutes=30,
                                     minimum_notice_minutes=0, booking_horizon_days=730, capacity=12,
                                     max_seats_per_booking=2, resource_pool=one_to_one.resource_pool)
    service.providers.set(staff)
    sessions, day = [], date(2026, 12, 1)
    per_day = max(1, -(-session_count // 250))
    while len(sessions) < session_count:
        if day.weekday() < 5:
            # Session k of the day at 13:00 onwards (the one-to-one bookings fill 09:00-13:00 at most per_day <= 8).
            for k in range(per_day):
                start = datetime.combine(day, clock(13), tzinfo=NY) + timedelta(minutes=30 * (k % 8))
                sessions.append(ClassSession(service=service, provider=staff[(k + 5) % providers],
                                             resource=room_rows[k % rooms], start=start,
                                             end=start + timedelta(minutes=30), blocked_start=start,
                                             blocked_end=start + timedelta(minutes=30), capacity=12))
        day += timedelta(days=1)
    sessions = ClassSession.objects.bulk_create(sessions[:session_count])
    Booking.objects.bulk_create(
        Booking(service=service, provider_id=session.provider_id, session=session, seats=2, start=session.start,
                end=session.end, blocked_start=session.start, blocked_end=session.end, status="confirmed",
                client_name="Bench", client_email="bench@example.com", client_timezone="America/New_York")
        for session in sessions)
    in_window = ClassSession.objects.filter(start__date__range=WINDOW).count()
    return service, in_window


def main():
    with bench_database():
        client = Client()
        print("One provider")
        run(client, build, (0, 100, 1000))
        print("Any of 10 providers, with one of 5 rooms")
        run(client, build_pooled, (1000, 5000))
        print("A 12-seat class, any of 10 providers, with one of 5 rooms (sessions, and as many one-to-one bookings)")
        run(client, build_class_pooled, (1000, 2000))


def run(client, builder, counts):
    from wagtail_booking.bookings.availability import available_slots, local_day_bounds

    print(f"{'bookings':>8} {'in window':>9} {'slots':>5} | {'API ms':>7} {'API SQL':>7} | "
          f"{'Python ms':>9} {'Python SQL':>10}")
    for count in counts:
        service, in_window = builder(count)
        url = f"/booking/api/services/{service.pk}/slots"
        params = {"start": WINDOW[0].isoformat(), "end": WINDOW[1].isoformat(), "tz": "America/New_York"}

        def via_api(url=url, params=params):
            response = client.get(url, params)
            assert response.status_code == 200, response.content
            return len(response.json()["slots"])

        def via_python(service=service):
            from wagtail_booking.snippets.models import Service

            fresh = Service.objects.get(pk=service.pk)
            start, end = local_day_bounds(*WINDOW, "America/New_York")
            return len(available_slots(fresh, start, end))

        api_ms, api_sql, api_slots = measure(via_api, REPEATS)
        py_ms, py_sql, py_slots = measure(via_python, REPEATS)
        assert api_slots == py_slots
        print(f"{count:>8} {in_window:>9} {api_slots:>5} | {api_ms:>7.2f} {api_sql:>7} | "
              f"{py_ms:>9.2f} {py_sql:>10}")


if __name__ == "__main__":
    main()
