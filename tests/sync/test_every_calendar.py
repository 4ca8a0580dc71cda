"""One provider with Google, Microsoft 365 and a CalDAV calendar connected at once, each through the admin as an
owner would connect it, with the real SDKs against the Google and Graph fakes and a real Radicale server.

Busy time from each blocks slots in the public API; bookings are written to the one chosen calendar only; a Teams
link made on the Microsoft calendar reaches the booking; disconnecting one account leaves the others working.
"""

from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.helpers import ny
from tests.sync.conftest import ACCOUNT, OUTLOOK_CALENDAR, RADICALE_PASSWORD, RADICALE_USER
from tests.sync.test_connections import CLIENT, free_hours
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.snippets.models import BusyBlock
from wagtail_booking.sync.backends.google import event_id_for
from wagtail_booking.sync.models import CalendarConnection, ConnectedCalendar
from wagtail_booking.tasks import calendar_sync_task

pytestmark = pytest.mark.django_db(transaction=True)


def connect_microsoft(admin_client, provider):
    """Connect -> Microsoft's consent screen (the fake approves at once) -> our callback, as the owner's browser."""
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connect/microsoft/")
    assert response.status_code == 302, response.content
    consent = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["Location"])
    answer = admin_client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})
    assert answer.status_code == 302, answer.content
    return CalendarConnection.objects.get(provider=provider, kind="microsoft")


def connect_caldav(admin_client, provider, dav):
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connect/caldav/", {
        "url": dav.url, "username": RADICALE_USER, "password": RADICALE_PASSWORD})
    assert response.status_code == 302, response.content
    connection = CalendarConnection.objects.get(provider=provider, kind="caldav")
    # The owner's "Work" calendar counts as busy too (the server's first calendar is the primary one).
    ConnectedCalendar.objects.filter(connection=connection, remote_id=dav.calendar_id).update(busy=True)
    return connection


@pytest.fixture
def every_kind(connected, admin_client, provider, google, graph, dav):
    connections = {"google": connected, "microsoft": connect_microsoft(admin_client, provider),
                   "caldav": connect_caldav(admin_client, provider, dav)}
    for connection in connections.values():
        assert connection.status == CalendarConnection.Status.CONNECTED, connection.message
    return connections


def sync_all(connections):
    for connection in connections.values():
        calendar_sync_task(connection.pk)


def caldav_busy(dav, uid, start, end):
    dav.put(uid, f"UID:{uid}\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\nSUMMARY:Busy")


def utc(moment):
    return moment.astimezone(UTC)


def test_busy_time_from_each_calendar_blocks_its_slot(every_kind, client, service, google, graph, dav, monday):
    google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10), summary="Dentist")
    outlook = graph.add_event(OUTLOOK_CALENDAR, ny(monday, 11), ny(monday, 12), subject="Board meeting")
    caldav_busy(dav, "school-run", utc(ny(monday, 13)), utc(ny(monday, 14)))
    sync_all(every_kind)

    hours = free_hours(client, service, monday)
    assert {"09:00", "11:00", "13:00"}.isdisjoint(hours), hours
    assert {"10:00", "12:00", "14:00"} <= hours
    assert set(BusyBlock.objects.values_list("source", flat=True)) == {"google", "microsoft", "caldav"}

    graph.delete_event(OUTLOOK_CALENDAR, outlook["id"])  # gone in Outlook: the slot comes back at the next sync
    dav.delete("school-run")
    calendar_sync_task(every_kind["microsoft"].pk)
    calendar_sync_task(every_kind["caldav"].pk)
    hours = free_hours(client, service, monday)
    assert {"11:00", "13:00"} <= hours and "09:00" not in hours


def test_bookings_go_to_the_chosen_calendar_only(every_kind, admin_client, provider, service, google, graph, dav,
                                                 monday, django_capture_on_commit_callbacks):
    chosen = ConnectedCalendar.objects.get(provider=provider, receives_bookings=True)
    assert chosen.connection.kind == "google"  # the first connection's main calendar
    with django_capture_on_commit_callbacks(execute=True):
        first = services.create_by_staff(service, provider, ny(monday, 10), CLIENT)
    assert event_id_for(first.reference) in google.events(ACCOUNT)
    assert not graph.events(OUTLOOK_CALENDAR) and not dav.events()

    outlook = ConnectedCalendar.objects.get(connection=every_kind["microsoft"], remote_id=OUTLOOK_CALENDAR)
    busy = ConnectedCalendar.objects.filter(provider=provider, busy=True).values_list("pk", flat=True)
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/",
                                 {"busy": list(busy), "receives_bookings": outlook.pk})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        second = services.create_by_staff(service, provider, ny(monday, 14), CLIENT)

    written = [e for e in graph.events(OUTLOOK_CALENDAR).values() if (e.get("transactionId") or "").startswith(
        "wagtail-booking-")]
    assert len(written) == 1 and written[0]["start"]["dateTime"].startswith(f"{monday:%Y-%m-%d}")
    assert not dav.events()
    sync_all(every_kind)  # the booking written to Outlook is not imported back as busy time
    assert not BusyBlock.objects.filter(source="microsoft").exists()
    assert Booking.objects.get(pk=second.pk).status == Booking.Status.CONFIRMED


def test_an_online_booking_gets_the_teams_link_from_the_outlook_calendar(every_kind, admin_client, provider,
                                                                         service, graph, monday,
                                                                         django_capture_on_commit_callbacks):
    service.online = True
    service.save()
    outlook = ConnectedCalendar.objects.get(connection=every_kind["microsoft"], remote_id=OUTLOOK_CALENDAR)
    busy = ConnectedCalendar.objects.filter(provider=provider, busy=True).values_list("pk", flat=True)
    admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/",
                      {"busy": list(busy), "receives_bookings": outlook.pk})
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.create_by_staff(service, provider, ny(monday, 10), CLIENT)
    booking.refresh_from_db()
    assert booking.meeting_url.startswith("https://") and booking.video_link == booking.meeting_url
    (event,) = graph.events(OUTLOOK_CALENDAR).values()
    assert event["isOnlineMeeting"] and event["onlineMeeting"]["joinUrl"] == booking.meeting_url


def test_disconnecting_one_leaves_the_others_working(every_kind, admin_client, client, provider, service, google,
                                                     graph, dav, monday):
    google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10))
    graph.add_event(OUTLOOK_CALENDAR, ny(monday, 11), ny(monday, 12))
    caldav_busy(dav, "gym", utc(ny(monday, 13)), utc(ny(monday, 14)))
    sync_all(every_kind)

    microsoft = every_kind.pop("microsoft")
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connections/{microsoft.pk}/disconnect/")
    assert response.status_code == 302
    assert not CalendarConnection.objects.filter(pk=microsoft.pk).exists()
    hours = free_hours(client, service, monday)
    assert "11:00" in hours and {"09:00", "13:00"}.isdisjoint(hours)

    caldav_busy(dav, "gym", utc(ny(monday, 15)), utc(ny(monday, 16)))  # the others still sync
    google.add_event(ACCOUNT, ny(monday + timedelta(days=1), 9), ny(monday + timedelta(days=1), 10))
    sync_all(every_kind)
    assert "15:00" not in free_hours(client, service, monday) and "13:00" in free_hours(client, service, monday)
    assert "09:00" not in free_hours(client, service, monday + timedelta(days=1))
