"""From a change in a provider's calendar to the slot gone from the public slots API, per calendar kind, through the
whole engine: Google (fake), Microsoft 365 (fake Graph over TLS), CalDAV (a real Radicale server) and an iCal
subscription (a loopback feed), all connected to one provider at once.

Each run adds one busy hour in one calendar, then runs what a push notification (Google, Microsoft) or the poll
(every kind) queues, ``calendar_sync_task(connection, calendar)`` (its body, ``jobs.sync_connection``), then asks the
slots API until the hour is gone. Printed: the median and max of that time over the runs, and the SQL queries of
the sync. Not included: the service's own delay before it pushes (seconds) or the wait for the next poll (up to
``15 minutes``), which come on top.

    .venv/bin/python benchmarks/calendar_slots_latency.py [--runs 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/calendar_slots_latency.py
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_database, setup  # noqa: E402

setup("bench_wagtail_booking_calendar_sync")
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the Google fake speaks plain HTTP

from django.conf import settings  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

NY = ZoneInfo("America/New_York")
CALLBACK = "https://bench.example/admin/booking/calendar-sync/callback/"


def servers():
    import requests
    from fakes.google_server import FakeGoogle
    from fakes.graph_server import FakeGraph
    from fakes.radicale_server import RadicaleServer

    from tests.sync.test_ical_subscription import FeedServer

    google = FakeGoogle(client_id="bench-google", client_secret="s", account="maya@example.com")
    graph = FakeGraph(client_id="bench-ms", client_secret="s", account="maya@contoso.com")
    radicale = RadicaleServer(users={"maya": "app-password"})
    for server in (google, graph, radicale):
        server.start()
    feeds = FeedServer()
    os.environ["REQUESTS_CA_BUNDLE"] = graph.ca_file
    overrides = {"GOOGLE_OAUTH_CLIENT_ID": "bench-google", "GOOGLE_OAUTH_CLIENT_SECRET": "s",
                 "GOOGLE_API_BASE": google.url, "GOOGLE_AUTH_URI": f"{google.url}/o/oauth2/auth",
                 "GOOGLE_TOKEN_URI": f"{google.url}/token", "GOOGLE_REVOKE_URI": f"{google.url}/revoke",
                 "MICROSOFT_CLIENT_ID": "bench-ms", "MICROSOFT_CLIENT_SECRET": "s",
                 "MICROSOFT_AUTHORITY_HOST": graph.url, "MICROSOFT_GRAPH_URL": f"{graph.url}/v1.0",
                 "WAGTAIL_BOOKING": {**settings.WAGTAIL_BOOKING, "CALENDAR_BACKENDS": {
                     **settings.WAGTAIL_BOOKING["CALENDAR_BACKENDS"],
                     "ical": {"BACKEND": "wagtail_booking.sync.backends.ical.ICalSubscriptionBackend",
                              "OPTIONS": {"ALLOW_LOCAL_ADDRESSES": True}}}}}
    return {"google": google, "microsoft": graph, "caldav": radicale, "ical": feeds, "requests": requests}, overrides


def connect_all(fakes, provider):
    from wagtail_booking.sync import connect as connecting

    connections = {}
    for kind in ("google", "microsoft"):
        url, state = connecting.start_oauth(provider, kind, CALLBACK)
        back = fakes["requests"].get(url, allow_redirects=False, timeout=5).headers["Location"]
        connections[kind] = connecting.finish_oauth(state, CALLBACK, CALLBACK + "?" + urlsplit(back).query)
    import caldav

    owner = caldav.DAVClient(url=fakes["caldav"].url, username="maya", password="app-password")
    if not owner.principal().calendars():
        owner.principal().make_calendar(name="Work", cal_id="work")
    connections["caldav"] = connecting.connect_with_form(provider, "caldav", {
        "url": fakes["caldav"].url, "username": "maya", "password": "app-password"})
    fakes["ical"].publish("/rota.ics", vcalendar([]))
    connections["ical"] = connecting.connect_with_form(provider, "ical", {"url": fakes["ical"].url + "/rota.ics"})
    return connections


def vcalendar(spans):
    events = "".join(f"BEGIN:VEVENT\r\nUID:rota-{n}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{a:%Y%m%dT%H%M%SZ}\r\n"
                     f"DTEND:{b:%Y%m%dT%H%M%SZ}\r\nEND:VEVENT\r\n" for n, (a, b) in enumerate(spans))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n{events}END:VCALENDAR\r\n"


def change(kind, fakes, calendar, start, end, feed_spans):
    if kind == "google":
        fakes["google"].add_event("maya@example.com", start, end)
    elif kind == "microsoft":
        fakes["microsoft"].add_event(fakes["microsoft"].primary, start, end)
    elif kind == "caldav":
        import caldav

        uid = f"bench-{start:%Y%m%d%H%M}"
        body = (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n"
                f"DTSTAMP:20260101T000000Z\r\nDTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n"
                f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        client = caldav.DAVClient(url=fakes["caldav"].url, username="maya", password="app-password")
        client.put(f"{calendar.remote_id}{uid}.ics", body, headers={"Content-Type": "text/calendar"})
    else:
        feed_spans.append((start.astimezone(UTC), end.astimezone(UTC)))
        fakes["ical"].publish("/rota.ics", vcalendar(feed_spans))


def count_into(counted, execute, sql, *args):
    counted.append(sql)
    return execute(sql, *args)


def slot_gone(client, service, start):
    day = start.date().isoformat()
    answer = client.get(f"/booking/api/services/{service.pk}/slots", {"start": day, "end": day,
                                                                      "tz": "America/New_York"}).json()
    return start.isoformat() not in {s["start"] for s in answer["slots"]}


def main(runs):
    from tests.factories.booking import ProviderFactory, ServiceFactory
    from tests.helpers import ensure_wagtail_baseline
    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.snippets.models import Provider, Service
    from wagtail_booking.sync.jobs import sync_connection
    from wagtail_booking.sync.models import ConnectedCalendar
    from wagtail_booking.tasks import calendar_sync_task

    fakes, overrides = servers()
    with bench_database(), override_settings(**overrides):
        ensure_wagtail_baseline()
        Booking.objects.all().delete()
        Service.objects.all().delete()
        Provider.objects.all().delete()
        provider = ProviderFactory(name="Bench")
        service = ServiceFactory(name="Bench 60", duration_minutes=60, slot_interval_minutes=60,
                                 booking_horizon_days=120, providers=[provider])
        connections = connect_all(fakes, provider)
        ConnectedCalendar.objects.filter(provider=provider).update(busy=True)
        for connection in connections.values():
            calendar_sync_task(connection.pk)
        client, feed_spans = Client(), []
        first = datetime.now(NY).date() + timedelta(days=7)
        days = [first + timedelta(days=n) for n in range(90) if (first + timedelta(days=n)).weekday() < 5]
        print(f"{db.vendor}: change in the calendar -> sync task -> slot gone from the API ({runs} runs per kind)")
        for k, (kind, connection) in enumerate(connections.items()):
            calendar = connection.calendars.filter(busy=True).first()
            timings, queries = [], []
            for run in range(runs):
                day = days[run]
                start = datetime(day.year, day.month, day.day, 9 + 2 * k, tzinfo=NY)
                assert not slot_gone(client, service, start), (kind, start)
                change(kind, fakes, calendar, start, start + timedelta(hours=1), feed_spans)
                began = time.perf_counter()
                counted = []
                with db.execute_wrapper(partial(count_into, counted)):
                    sync_connection(connection.pk, calendar.pk)  # what calendar_sync_task runs
                gone = slot_gone(client, service, start)
                timings.append((time.perf_counter() - began) * 1000)
                queries.append(len(counted))
                assert gone, f"{kind}: the slot at {start} is still offered after the sync"
            print(f"  {kind:<10} median {statistics.median(timings):7.1f} ms   max {max(timings):7.1f} ms   "
                  f"sync SQL {statistics.median(queries):.0f}")
    for name in ("google", "microsoft", "caldav", "ical"):
        fakes[name].stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    main(parser.parse_args().runs)
