"""What many businesses on one install cost: 1, 10 and 100 Wagtail sites, each with a provider, a service and 200
confirmed bookings. For one business's host it prints the median time and the SQL query count of:

- the public API: the services list, a 30-day slot search, and an API-key request listing bookings;
- the admin: the bookings listing as that business's owner (a staff user working in that one business).

A flat query count across 1, 10 and 100 businesses means the per-business filtering scales with the business's own
rows, not with the install. Run on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/businesses.py
"""

import sys
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_database, measure, setup  # noqa: E402

setup("bench_wagtail_booking_businesses")

from django.test import Client  # noqa: E402

NY = ZoneInfo("America/New_York")
WINDOW = (date(2027, 3, 1), date(2027, 3, 30))
BOOKINGS_PER_BUSINESS = 200
REPEATS = 30


def clear():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from wagtail.models import Page, Site

    from wagtail_booking.api.models import ApiKey
    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.snippets.models import Provider, Service

    Booking.objects.all().delete()
    Service.objects.all().delete()
    Provider.objects.all().delete()
    ApiKey.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    Group.objects.filter(name__startswith="bench-").delete()
    Site.objects.filter(hostname__endswith=".bench").delete()
    Page.objects.filter(slug__startswith="bench-").delete()


def business(index, root):
    """Site ``b<index>.bench`` with a provider (Mon-Fri 9-17), a 30-minute service and its bookings."""
    from wagtail.models import Page, Site

    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.snippets.models import Provider, Service, WeeklyHours

    home = root.add_child(instance=Page(title=f"Bench {index}", slug=f"bench-{index}"))
    site = Site.objects.create(hostname=f"b{index}.bench", port=80, root_page=home, site_name=f"Bench {index}")
    provider = Provider.objects.create(site=site, name=f"Provider {index}", timezone="America/New_York")
    WeeklyHours.objects.bulk_create(
        WeeklyHours(provider=provider, weekday=day, opens=clock(9), closes=clock(17)) for day in range(5))
    service = Service.objects.create(site=site, name=f"Service {index}", duration_minutes=30,
                                     slot_interval_minutes=30, minimum_notice_minutes=0, booking_horizon_days=730)
    service.providers.add(provider)
    rows, day = [], date(2026, 12, 1)
    while len(rows) < BOOKINGS_PER_BUSINESS:
        if day.weekday() < 5:
            start = datetime.combine(day, clock(9), tzinfo=NY) + timedelta(minutes=30 * (day.day % 8))
            rows.append(Booking(site=site, service=service, provider=provider, start=start,
                                end=start + timedelta(minutes=30), blocked_start=start,
                                blocked_end=start + timedelta(minutes=30), status="confirmed",
                                client_name=f"Client {index}", client_email=f"client{index}@example.com",
                                client_timezone="America/New_York"))
        day += timedelta(days=1)
    Booking.objects.bulk_create(rows)
    return site, service


def owner_of(site):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupSitePermission

    group = Group.objects.create(name=f"bench-{site.hostname}")
    group.permissions.set(Permission.objects.filter(codename__in=["access_admin", "view_booking", "change_booking"]))
    GroupSitePermission.objects.create(group=group, site=site, permission=Permission.objects.get(
        codename="access_business"))
    user = get_user_model().objects.create_user(f"bench-{site.hostname}", is_staff=True)
    user.groups.add(group)
    return user


def get(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response


def figures_for(site, service):
    """(ms, SQL) of each request, for ``site``'s host, key and owner."""
    from wagtail_booking.api.keys import create_key

    _key, secret = create_key(site, "bench", ["read"])
    public = Client(HTTP_HOST=site.hostname)
    keyed = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    staff = Client(HTTP_HOST=site.hostname)
    staff.force_login(owner_of(site))
    slots = f"/booking/api/services/{service.pk}/slots"
    window = {"start": WINDOW[0].isoformat(), "end": WINDOW[1].isoformat(), "tz": "America/New_York"}
    calls = [lambda: get(public, "/booking/api/services"), lambda: get(public, slots, window),
             lambda: get(keyed, "/booking/api/integrations/bookings", {"limit": 50}),
             lambda: get(staff, "/admin/bookings/")]
    return [measure(call, REPEATS)[:2] for call in calls]


def main():
    from django.conf import settings
    from wagtail.models import Page

    from tests.helpers import ensure_wagtail_baseline

    settings.ALLOWED_HOSTS = ["*"]
    with bench_database():
        print(f"{'businesses':>10} | {'services':>8} {'SQL':>3} | {'slots':>7} {'SQL':>3} | "
              f"{'API key':>7} {'SQL':>3} | {'admin list':>10} {'SQL':>3}   (ms, median of {REPEATS})")
        for count in (1, 10, 100):
            clear()
            ensure_wagtail_baseline()
            root = Page.get_first_root_node()
            made = [business(index, root) for index in range(count)]
            figures = figures_for(*made[-1])
            row = " | ".join(f"{ms:>{width}.1f} {sql:>3}" for (ms, sql), width in zip(figures, (8, 7, 7, 10),
                                                                                       strict=True))
            print(f"{count:>10} | {row}")
        clear()


if __name__ == "__main__":
    main()
