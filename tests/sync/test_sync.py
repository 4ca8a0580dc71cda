"""Busy time in: full and incremental sync, 410, all-day, free, declined, recurring and our own events."""

from datetime import timedelta

import pytest

from tests.helpers import NY, ny
from tests.sync.conftest import ACCOUNT
from wagtail_booking.bookings.availability import available_slots
from wagtail_booking.snippets.models import BusyBlock
from wagtail_booking.sync import gateway
from wagtail_booking.sync.models import ConnectedCalendar
from wagtail_booking.tasks import calendar_sync_task as google_sync_task


def blocks(provider):
    return {b.external_id: (b.starts_at, b.ends_at, b.title)
            for b in BusyBlock.objects.filter(provider=provider, source="google")}


def list_calls(google):
    return [p for m, p in google.calls("GET") if p.endswith("/events")]


def test_full_then_incremental_sync(connected, google, provider, service, monday, monkeypatch):
    monkeypatch.setattr(gateway, "PAGE_SIZE", 2)  # several pages
    a = google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10), summary="A")
    b = google.add_event(ACCOUNT, ny(monday, 11), ny(monday, 12), summary="B")
    c = google.add_event(ACCOUNT, ny(monday, 13), ny(monday, 14), summary="C")

    google_sync_task(connected.pk)

    assert set(blocks(provider)) == {a["id"], b["id"], c["id"]}
    calendar = ConnectedCalendar.objects.get(connection=connected)
    assert calendar.cursor
    full_pages = len(list_calls(google))

    google.update_event(ACCOUNT, a["id"], start=ny(monday, 15), end=ny(monday, 16))  # moved
    google.delete_event(ACCOUNT, b["id"])  # cancelled
    d = google.add_event(ACCOUNT, ny(monday + timedelta(days=1), 9), ny(monday + timedelta(days=1), 10))
    google_sync_task(connected.pk)

    now = blocks(provider)
    assert set(now) == {a["id"], c["id"], d["id"]}
    assert now[a["id"]][:2] == (ny(monday, 15), ny(monday, 16))
    assert len(list_calls(google)) - full_pages == 2  # 3 changes, pages of 2: only the changes were fetched
    slots = {s.start for s in available_slots(service, ny(monday, 0), ny(monday, 23))}
    assert ny(monday, 15) not in slots and ny(monday, 11) in slots


def test_expired_sync_token_wipes_and_resyncs_in_full(connected, google, provider, monday):
    kept = google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10))
    google_sync_task(connected.pk)
    BusyBlock.objects.create(provider=provider, source="google", calendar_id=ACCOUNT, external_id="stale",
                             connected_calendar=ConnectedCalendar.objects.get(connection=connected),
                             starts_at=ny(monday, 12), ends_at=ny(monday, 13))
    google.expire_sync_tokens()

    google_sync_task(connected.pk)

    assert set(blocks(provider)) == {kept["id"]}
    token = ConnectedCalendar.objects.get(connection=connected).cursor
    assert token.split("|")[1] == str(google.generation)


def test_all_day_free_declined_and_recurring_events(connected, google, provider, monday):
    tuesday = monday + timedelta(days=1)
    all_day = google.add_event(ACCOUNT, tuesday, tuesday + timedelta(days=1), summary="Conference")
    google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10), summary="Reminder", transparency="transparent")
    google.add_event(ACCOUNT, ny(monday, 11), ny(monday, 12), summary="Declined",
                     attendees=[{"email": ACCOUNT, "self": True, "responseStatus": "declined"}])
    weekly = google.add_event(ACCOUNT, ny(monday, 14), ny(monday, 15), summary="Standup",
                              recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"], visibility="private")

    google_sync_task(connected.pk)

    found = blocks(provider)
    day = found[all_day["id"]]
    assert day[0] == ny(tuesday, 0) and day[1] == ny(tuesday + timedelta(days=1), 0)  # midnight to midnight, NY
    assert day[0].astimezone(NY).hour == 0
    instances = sorted(v[0] for k, v in found.items() if k.startswith(weekly["id"] + "_"))
    assert instances == [ny(monday + timedelta(weeks=n), 14) for n in range(3)]
    assert {v[2] for k, v in found.items() if k.startswith(weekly["id"])} == {"Busy"}  # private: no title
    assert len(found) == 4  # the free and the declined event block nothing


def test_only_chosen_calendars_count(connected, google, provider, monday, admin_client):
    google.add_calendar("team@example.com", "Team")
    team_event = google.add_event("team@example.com", ny(monday, 9), ny(monday, 10))
    google_sync_task(connected.pk)
    assert team_event["id"] not in blocks(provider)  # offered, but not chosen yet

    team, main = (ConnectedCalendar.objects.get(remote_id=i) for i in ("team@example.com", ACCOUNT))
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/",
                                 {"busy": [team.pk], "receives_bookings": main.pk})

    assert response.status_code == 302
    assert set(blocks(provider)) == {team_event["id"]}  # the main calendar's blocks went with it
    assert ConnectedCalendar.objects.get(remote_id=ACCOUNT).busy is False


def test_rate_limit_then_success(connected, google, provider, monday):
    google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10))
    google.fail_next(2, 429)

    google_sync_task(connected.pk)

    assert len(blocks(provider)) == 1
    assert len(google.sleeps) == 2  # backed off twice, then succeeded
    connected.refresh_from_db()
    assert connected.message == ""


def test_google_down_keeps_last_blocks_and_tells_the_owner(connected, google, provider, monday):
    google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10))
    google_sync_task(connected.pk)
    google.fail_next(gateway.RETRIES + 1, 503)

    from wagtail_booking.sync.jobs import sync_connection

    with pytest.raises(gateway.GoogleUnavailable):  # the Huey task is retried later
        sync_connection(connected.pk)

    assert len(blocks(provider)) == 1
    connected.refresh_from_db()
    assert connected.status == "connected" and "tried again" in connected.message
