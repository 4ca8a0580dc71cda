"""What the admin's busiest pages cost for a large business: 50 providers and 5,000 bookings (four weeks of
half-hour appointments, weekdays 9:00-17:00), with busy time and time off. As the business's owner it prints the
median server time and the SQL query count of:

- the calendar's JSON feed for one week of all 50 providers (about 1,250 bookings; target: a fixed number of
  queries and under 150 ms on PostgreSQL), and for one provider (the count must be the same);
- the calendar page itself (week view, all providers);
- the bookings listing (measured only: it is being reworked separately).

Run on PostgreSQL (or without DATABASE_URL on SQLite):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/admin.py
"""

import sys
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_database, measure, setup  # noqa: E402

setup("bench_wagtail_booking_admin")

from django.test import Client  # noqa: E402

NY = ZoneInfo("America/New_York")
PROVIDERS = 50
BOOKINGS = 5000
FIRST_MONDAY = date(2027, 3, 1)
WEEK = (FIRST_MONDAY + timedelta(days=7), FIRST_MONDAY + timedelta(days=14))
REPEATS = 30


def clear():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.snippets.models import Provider, Service

    Booking.objects.all().delete()
    Service.objects.all().delete()
    Provider.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    Group.objects.filter(name__startswith="bench-").delete()


def business():
    """The default site's 50 providers (Mon-Fri 9-17), one service, 5,000 bookings, busy blocks and time off."""
    from wagtail.models import Site

    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.snippets.models import BusyBlock, Provider, Service, TimeOff, WeeklyHours

    site = Site.objects.get(is_default_site=True)
    providers = Provider.objects.bulk_create(
        Provider(site=site, name=f"Provider {index:02d}", timezone="America/New_York") for index in range(PROVIDERS))
    WeeklyHours.objects.bulk_create(WeeklyHours(provider=provider, weekday=day, opens=clock(9), closes=clock(17))
                                    for provider in providers for day in range(5))
    service = Service.objects.create(site=site, name="Session", duration_minutes=30, slot_interval_minutes=30)
    service.providers.set(providers)
    days = [FIRST_MONDAY + timedelta(days=offset) for offset in range(28) if offset % 7 < 5]
    per_day = BOOKINGS // PROVIDERS // len(days)
    rows = []
    for index, provider in enumerate(providers):
        for day in days:
            for slot in range(per_day):
                start = datetime.combine(day, clock(9), tzinfo=NY) + timedelta(minutes=30 * (slot * 3 + index % 3))
                rows.append(Booking(site=site, service=service, provider=provider, start=start,
                                    end=start + timedelta(minutes=30), blocked_start=start,
                                    blocked_end=start + timedelta(minutes=30),
                                    status=("confirmed", "requested", "completed")[slot % 3],
                                    client_name=f"Client {index}-{slot}", client_email=f"c{index}@example.com",
                                    client_timezone="America/New_York"))
    Booking.objects.bulk_create(rows, batch_size=1000)
    BusyBlock.objects.bulk_create(
        BusyBlock(provider=provider, title="Synced", source="google", external_id=f"evt-{provider.pk}-{day}",
                  starts_at=datetime.combine(day, clock(16), tzinfo=NY),
                  ends_at=datetime.combine(day, clock(17), tzinfo=NY)) for provider in providers for day in days)
    TimeOff.objects.bulk_create(
        TimeOff(provider=provider, starts_at=datetime.combine(WEEK[0] + timedelta(days=4), clock(9), tzinfo=NY),
                ends_at=datetime.combine(WEEK[0] + timedelta(days=4), clock(17), tzinfo=NY), reason="Training")
        for provider in providers[::5])
    return site, providers, len(rows)


def owner():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="bench-owners")
    group.permissions.set(Permission.objects.filter(codename__in=[
        "access_admin", "view_booking", "add_booking", "change_booking", "manage_bookings"]))
    user = get_user_model().objects.create_user("bench-owner", is_staff=True)
    user.groups.add(group)
    return user


def get(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response


def main():
    from django.conf import settings

    from tests.helpers import ensure_wagtail_baseline

    settings.ALLOWED_HOSTS = ["*"]
    with bench_database():
        clear()
        ensure_wagtail_baseline()
        _site, providers, made = business()
        staff = Client()
        staff.force_login(owner())
        week = {"start": f"{WEEK[0].isoformat()}T00:00:00", "end": f"{WEEK[1].isoformat()}T00:00:00"}
        calls = [
            ("calendar feed, a week, all 50 providers", lambda: get(staff, "/admin/booking/calendar/feed/", week)),
            ("calendar feed, a week, one provider", lambda: get(staff, "/admin/booking/calendar/feed/",
                                                                {**week, "providers": providers[0].pk})),
            ("calendar page, week view, all providers", lambda: get(staff, "/admin/booking/calendar/",
                                                                    {"date": WEEK[0].isoformat()})),
            ("bookings listing, first page", lambda: get(staff, "/admin/bookings/")),
        ]
        print(f"{PROVIDERS} providers, {made} bookings; median of {REPEATS} after a warm-up")
        for label, call in calls:
            ms, sql, response = measure(call, REPEATS)
            size = f"{len(response.json())} events" if "feed" in label else f"{len(response.content) // 1024} KiB"
            print(f"{label:<42} {ms:8.1f} ms {sql:4d} SQL   ({size})")
        clear()


if __name__ == "__main__":
    main()
