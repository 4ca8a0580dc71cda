"""The Microsoft Graph backend: the real msal and requests talking to the loopback fake Graph (over TLS)."""

import json
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests
from django.test import RequestFactory

from tests.helpers import ny
from tests.sync.conftest import MS_ACCOUNT as ACCOUNT
from tests.sync.conftest import OUTLOOK_CALENDAR as CALENDAR
from tests.sync.graph_endpoint import NotificationEndpoint
from wagtail_booking.sync.backends.base import (
    CalendarError,
    CursorExpired,
    EventDraft,
    ReconnectNeeded,
    Unavailable,
    Watch,
)
from wagtail_booking.sync.backends.microsoft import MicrosoftBackend

CALLBACK = "https://testserver/admin/booking/calendar-sync/callback/"


def consent(url):
    """What the owner's browser does: Microsoft's consent page (the fake approves at once) -> our callback URL."""
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.fixture
def credentials(graph):
    backend = MicrosoftBackend()
    url, state, verifier = backend.authorization_url(CALLBACK)
    return backend.finish_authorization(CALLBACK, state, verifier, consent(url))


@pytest.fixture
def backend(credentials):
    return MicrosoftBackend(credentials)


def window(monday):
    return ny(monday, 0), ny(monday + timedelta(days=7), 0)


def draft(monday, hour=10, **fields):
    return EventDraft(reference=fields.pop("reference", "BK-7Q2X"), summary="Consultation with Ana",
                      description="Booked online.", start=ny(monday, hour), end=ny(monday, hour + 1),
                      time_zone="America/New_York", **fields)


# Connecting -----------------------------------------------------------------------------------------------------

def test_sign_in_with_pkce_stores_the_token_cache_and_lists_calendars(graph):
    graph.add_calendar("AAMkShared", "Team rota", can_edit=False)
    backend = MicrosoftBackend()
    url, state, verifier = backend.authorization_url(CALLBACK)

    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] == [state]
    assert {"offline_access", "Calendars.ReadWrite", "User.Read"} <= set(query["scope"][0].split())
    assert query["redirect_uri"] == [CALLBACK]
    kept = json.loads(verifier)
    assert len(kept["code_verifier"]) >= 43 and kept["state"] == state and "auth_uri" not in kept

    stored = backend.finish_authorization(CALLBACK, state, verifier, consent(url))

    assert stored == backend.credentials
    refresh_tokens = json.loads(json.loads(stored)["cache"])["RefreshToken"].values()
    assert [t["secret"] for t in refresh_tokens][0] in graph.refresh_tokens
    connected = MicrosoftBackend(stored)
    assert connected.account_name() == ACCOUNT
    calendars = {c.id: c for c in connected.list_calendars()}
    assert calendars[CALENDAR].primary and calendars[CALENDAR].writable and calendars[CALENDAR].name == "Calendar"
    assert not calendars["AAMkShared"].primary and not calendars["AAMkShared"].writable


def test_a_stale_or_foreign_state_and_a_refused_consent_are_refused(graph):
    backend = MicrosoftBackend()
    first_url, first_state, first_verifier = backend.authorization_url(CALLBACK)
    _, second_state, second_verifier = backend.authorization_url(CALLBACK)
    answer = consent(first_url)

    with pytest.raises(ReconnectNeeded, match="another browser session"):  # the callback names the first flow
        backend.finish_authorization(CALLBACK, second_state, first_verifier, answer)
    with pytest.raises(ReconnectNeeded, match="did not match"):  # a code meant for another sign-in
        backend.finish_authorization(CALLBACK, second_state, second_verifier, answer)
    tampered = json.dumps({**json.loads(first_verifier), "code_verifier": "x" * 43})
    with pytest.raises(ReconnectNeeded, match="Code_Verifier"):
        backend.finish_authorization(CALLBACK, first_state, tampered, answer)

    graph.deny_consent()
    url, state, verifier = backend.authorization_url(CALLBACK)
    with pytest.raises(ReconnectNeeded, match="denied access"):
        backend.finish_authorization(CALLBACK, state, verifier, consent(url))
    assert backend.credentials == ""


def test_an_expired_token_is_refreshed_and_the_new_cache_handed_back(backend, credentials, graph, time_machine):
    time_machine.shift(timedelta(hours=2))  # msal sees its access token expired and redeems the refresh token

    assert backend.list_calendars()

    assert backend.credentials != credentials
    old = json.loads(json.loads(credentials)["cache"])["RefreshToken"]
    new = json.loads(json.loads(backend.credentials)["cache"])["RefreshToken"]
    assert [t["secret"] for t in new.values()][0] in graph.refresh_tokens  # rotated: the old one is spent
    assert [t["secret"] for t in old.values()][0] not in graph.refresh_tokens
    assert MicrosoftBackend(backend.credentials).list_calendars()  # the stored cache works in the next task


def test_a_token_graph_stops_accepting_is_refreshed_once(backend, credentials, graph):
    graph.expire_access_tokens()  # still fresh in msal's eyes: Graph answers 401, we refresh and try again

    assert backend.account_name() == ACCOUNT
    assert backend.credentials != credentials


def test_revoked_consent_means_reconnect_needed(backend, graph):
    graph.revoke_consent()

    with pytest.raises(ReconnectNeeded, match="Connect again") as caught:
        backend.import_busy(CALENDAR, "", *window(date(2027, 3, 22)))
    assert "AADSTS65001" in str(caught.value)
    for unreadable in ("", "not json", "[1]", '{"cache": "{", "account": "x"}'):
        with pytest.raises(ReconnectNeeded):
            MicrosoftBackend(unreadable).list_calendars()


def test_graph_refusing_even_a_fresh_token_means_reconnect_needed(backend, graph):
    graph.rejects_tokens = True  # e.g. the mailbox was disabled: the refresh works, Graph still says 401

    with pytest.raises(ReconnectNeeded, match="no longer accepts"):
        backend.list_calendars()
    assert len(graph.calls("GET", "/v1.0/me/calendars")) == 2  # once, then once more after refreshing


def test_microsoft_out_of_reach_is_unavailable(backend, graph, settings):
    settings.MICROSOFT_GRAPH_URL = "https://127.0.0.1:9/v1.0"  # nothing listens there

    with pytest.raises(Unavailable, match="Could not reach Microsoft Graph"):
        MicrosoftBackend(backend.credentials).list_calendars()


# Busy time in ---------------------------------------------------------------------------------------------------

def test_delta_import_full_then_only_changes(backend, graph, monday):
    graph.page_size = 2  # several pages each time
    a = graph.add_event(CALENDAR, ny(monday, 9), ny(monday, 10), subject="Dentist")
    free = graph.add_event(CALENDAR, ny(monday, 11), ny(monday, 12), showAs="free")
    graph.add_event(CALENDAR, ny(monday, 12), ny(monday, 13), showAs="workingElsewhere")
    graph.add_event(CALENDAR, ny(monday, 13), ny(monday, 14), isCancelled=True)
    graph.add_event(CALENDAR, ny(monday, 14), ny(monday, 15), responseStatus={"response": "declined"})
    graph.add_event(CALENDAR, ny(monday, 15), ny(monday, 16), transactionId="wagtail-booking-BK-1")  # ours
    private = graph.add_event(CALENDAR, ny(monday, 16), ny(monday, 17), subject="Therapy", sensitivity="private")
    all_day = graph.add_event(CALENDAR, monday + timedelta(days=1), monday + timedelta(days=2), subject="Holiday",
                              time_zone="Eastern Standard Time")
    graph.add_event(CALENDAR, ny(monday + timedelta(days=9), 9), ny(monday + timedelta(days=9), 10))  # outside

    full = backend.import_busy(CALENDAR, "", *window(monday))

    assert full.full and full.removed == [] and full.cursor
    busy = {e.uid: (e.start, e.end, e.title) for e in full.busy}
    assert busy == {a["id"]: (ny(monday, 9), ny(monday, 10), "Dentist"),
                    private["id"]: (ny(monday, 16), ny(monday, 17), "Busy"),
                    all_day["id"]: (ny(monday + timedelta(days=1), 0), ny(monday + timedelta(days=2), 0), "Holiday")}
    assert len(graph.calls("GET", "calendarView/delta")) == 4  # 8 events in the window, in pages of 2

    graph.update_event(CALENDAR, a["id"], start=ny(monday, 17), end=ny(monday, 18))
    graph.update_event(CALENDAR, free["id"], showAs="busy")
    graph.delete_event(CALENDAR, private["id"])
    new = graph.add_event(CALENDAR, ny(monday + timedelta(days=2), 9), ny(monday + timedelta(days=2), 10))

    changes = backend.import_busy(CALENDAR, full.cursor, *window(monday))

    assert not changes.full
    assert {e.uid: (e.start, e.end) for e in changes.busy} == {
        a["id"]: (ny(monday, 17), ny(monday, 18)), free["id"]: (ny(monday, 11), ny(monday, 12)),
        new["id"]: (ny(monday + timedelta(days=2), 9), ny(monday + timedelta(days=2), 10))}
    assert changes.removed == [private["id"]]

    nothing = backend.import_busy(CALENDAR, changes.cursor, *window(monday))
    assert (nothing.busy, nothing.removed, nothing.full) == ([], [], False)


def test_an_event_made_free_or_moved_out_of_the_window_is_removed(backend, graph, monday):
    a = graph.add_event(CALENDAR, ny(monday, 9), ny(monday, 10))
    b = graph.add_event(CALENDAR, ny(monday, 11), ny(monday, 12))
    cursor = backend.import_busy(CALENDAR, "", *window(monday)).cursor

    graph.update_event(CALENDAR, a["id"], showAs="free")
    graph.update_event(CALENDAR, b["id"], start=ny(monday + timedelta(days=20), 9),
                       end=ny(monday + timedelta(days=20), 10))
    changes = backend.import_busy(CALENDAR, cursor, *window(monday))

    assert changes.busy == [] and sorted(changes.removed) == sorted([a["id"], b["id"]])


def test_a_weekly_series_across_the_dst_change_keeps_its_wall_clock_time(backend, graph):
    first = date(2027, 3, 8)  # clocks go forward in New York on 14 March
    series = graph.add_series(CALENDAR, ny(first, 9), ny(first, 10), count=3, subject="Yoga")
    start, end = ny(date(2027, 3, 1), 0), ny(date(2027, 3, 29), 0)

    full = backend.import_busy(CALENDAR, "", start, end)

    days = [first + timedelta(days=7 * n) for n in range(3)]
    assert [(e.uid, e.start, e.end) for e in full.busy] == [
        (occurrence["id"], ny(day, 9), ny(day, 10)) for occurrence, day in zip(series, days, strict=True)]
    assert full.busy[0].start.astimezone(UTC).hour == 14 and full.busy[1].start.astimezone(UTC).hour == 13

    graph.delete_event(CALENDAR, series[1]["id"])  # one occurrence cancelled
    changes = backend.import_busy(CALENDAR, full.cursor, start, end)
    assert (changes.busy, changes.removed) == ([], [series[1]["id"]])


def test_an_expired_delta_link_asks_for_a_full_import_which_works(backend, graph, monday):
    a = graph.add_event(CALENDAR, ny(monday, 9), ny(monday, 10))
    cursor = backend.import_busy(CALENDAR, "", *window(monday)).cursor
    graph.expire_delta_links()

    with pytest.raises(CursorExpired):
        backend.import_busy(CALENDAR, cursor, *window(monday))
    again = backend.import_busy(CALENDAR, "", *window(monday))

    assert again.full and [e.uid for e in again.busy] == [a["id"]]


def test_a_delta_link_for_another_graph_address_asks_for_a_full_import(backend, graph, monday):
    cursor = backend.import_busy(CALENDAR, "", *window(monday)).cursor
    window_end, _ = cursor.split(" ")
    foreign = f"{window_end} https://graph.example.net/v1.0/me/calendarView/delta?$deltatoken=abc"

    with pytest.raises(CursorExpired):
        backend.import_busy(CALENDAR, foreign, *window(monday))
    assert len(graph.calls("GET", "calendarView/delta")) == 1  # the owner's token never went elsewhere


def test_an_all_day_event_in_an_unknown_zone_uses_the_window_zone(backend, graph, monday):
    event = graph.add_event(CALENDAR, monday, monday + timedelta(days=1), time_zone="Mars Standard Time")

    [busy] = backend.import_busy(CALENDAR, "", *window(monday)).busy

    assert (busy.uid, busy.start, busy.end) == (event["id"], ny(monday, 0), ny(monday + timedelta(days=1), 0))


def test_a_window_that_outgrew_the_delta_link_imports_in_full(backend, graph, monday):
    start, end = window(monday)
    cursor = backend.import_busy(CALENDAR, "", start, end).cursor
    later = graph.add_event(CALENDAR, ny(monday + timedelta(days=8), 9), ny(monday + timedelta(days=8), 10))

    assert backend.import_busy(CALENDAR, cursor, start, end + timedelta(hours=12)).full is False
    moved = backend.import_busy(CALENDAR, cursor, start + timedelta(days=2), end + timedelta(days=2))

    assert moved.full and [e.uid for e in moved.busy] == [later["id"]]


def test_429_retry_after_is_honoured_then_unavailable_with_retry_after(backend, graph, monday):
    graph.add_event(CALENDAR, ny(monday, 9), ny(monday, 10))
    backend.list_calendars()  # signed in: only the delta requests below
    graph.throttle(1, status=429, retry_after=1)

    assert len(backend.import_busy(CALENDAR, "", *window(monday)).busy) == 1
    first, second = graph.calls("GET", "calendarView/delta")
    assert second[0] - first[0] >= 1.0  # waited as asked

    graph.throttle(3, status=429, retry_after=1)
    with pytest.raises(Unavailable) as caught:
        backend.import_busy(CALENDAR, "", *window(monday))
    assert caught.value.retry_after == 1 and len(graph.calls("GET", "calendarView/delta")) == 2 + 3

    graph.throttle(1, status=503, retry_after=120)  # longer than a worker should wait: the task queue waits
    with pytest.raises(Unavailable) as caught:
        backend.import_busy(CALENDAR, "", *window(monday))
    assert caught.value.retry_after == 120 and len(graph.calls("GET", "calendarView/delta")) == 6


def test_a_retry_after_date_counts_too(backend, graph, monday):
    from email.utils import format_datetime

    backend.list_calendars()
    graph.throttle(1, status=503, retry_after=format_datetime(datetime.now(UTC) + timedelta(minutes=2), usegmt=True))

    with pytest.raises(Unavailable) as caught:
        backend.import_busy(CALENDAR, "", *window(monday))
    assert 110 <= caught.value.retry_after <= 120


def test_a_calendar_that_disappeared_is_a_readable_error(backend, graph, monday):
    with pytest.raises(CalendarError, match="no longer exists") as caught:
        backend.import_busy("AAMkGone", "", *window(monday))
    assert type(caught.value) is CalendarError


# Bookings out ---------------------------------------------------------------------------------------------------

def test_write_back_is_idempotent_moves_and_deletes(backend, graph, monday):
    made = backend.write_event(CALENDAR, draft(monday))
    retried = backend.write_event(CALENDAR, draft(monday))  # the first answer was lost: same transactionId

    assert retried.event_id == made.event_id and list(graph.events(CALENDAR)) == [made.event_id]
    event = graph.events(CALENDAR)[made.event_id]
    assert event["subject"] == "Consultation with Ana" and event["transactionId"] == "wagtail-booking-BK-7Q2X"
    assert event["start"]["dateTime"].startswith(ny(monday, 10).astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
    assert event["originalStartTimeZone"] == "Eastern Standard Time"  # written in the provider's wall-clock time
    assert made.meeting_url == ""
    assert backend.import_busy(CALENDAR, "", *window(monday)).busy == []  # the booking itself never blocks

    moved = backend.write_event(CALENDAR, draft(monday, hour=14), event_id=made.event_id)

    assert moved.event_id == made.event_id and len(graph.events(CALENDAR)) == 1
    start = datetime.fromisoformat(graph.events(CALENDAR)[made.event_id]["start"]["dateTime"][:19])
    assert start.replace(tzinfo=UTC) == ny(monday, 14)

    backend.delete_event(CALENDAR, made.event_id)
    backend.delete_event(CALENDAR, made.event_id)  # already gone: done
    assert graph.events(CALENDAR) == {}


def test_a_zone_without_a_windows_name_is_written_in_utc(backend, graph, monday):
    chatham = ZoneInfo("Pacific/Chatham")  # +12:45/+13:45: no Windows name in our table
    start = datetime.combine(monday, time(9, 30), chatham)
    made = backend.write_event(CALENDAR, EventDraft(reference="BK-CHAT", summary="Visit", description="",
                                                    start=start, end=start + timedelta(hours=1),
                                                    time_zone="Pacific/Chatham"))

    event = graph.events(CALENDAR)[made.event_id]
    assert event["originalStartTimeZone"] == "UTC"
    assert datetime.fromisoformat(event["start"]["dateTime"][:19]).replace(tzinfo=UTC) == start


def test_an_event_the_owner_deleted_is_made_again_once(backend, graph, monday):
    made = backend.write_event(CALENDAR, draft(monday))
    graph.delete_event(CALENDAR, made.event_id)

    again = backend.write_event(CALENDAR, draft(monday, hour=11), event_id=made.event_id)
    retried = backend.write_event(CALENDAR, draft(monday, hour=11), event_id=made.event_id)

    assert again.event_id != made.event_id and retried.event_id == again.event_id
    assert list(graph.events(CALENDAR)) == [again.event_id]


def test_an_online_meeting_gets_a_teams_link(backend, graph, monday):
    written = backend.write_event(CALENDAR, draft(monday, online_meeting=True))

    assert written.meeting_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    event = graph.events(CALENDAR)[written.event_id]
    assert event["isOnlineMeeting"] and event["onlineMeetingProvider"] == "teamsForBusiness"
    assert backend.write_event(CALENDAR, draft(monday, hour=12, online_meeting=True),
                               event_id=written.event_id).meeting_url == written.meeting_url


def test_writing_to_a_read_only_calendar_says_so(backend, graph, monday):
    graph.add_calendar("AAMkShared", "Team rota", can_edit=False)
    with pytest.raises(CalendarError, match="refused access"):
        backend.write_event("AAMkShared", draft(monday))


# Push -----------------------------------------------------------------------------------------------------------

@pytest.fixture
def endpoint():
    receiver = NotificationEndpoint()
    receiver.start()
    yield receiver
    receiver.stop()


def test_watch_passes_the_handshake_and_notifications_name_the_subscription(backend, graph, endpoint, monday):
    watch = backend.watch(CALENDAR, endpoint.url)

    assert isinstance(watch, Watch)
    subscription = graph.subscriptions[watch.id]
    assert len(endpoint.validations) == 1  # Graph checked the address before creating it
    assert subscription["clientState"] == watch.secret and len(watch.secret) >= 32
    assert subscription["notificationUrl"] == endpoint.url and subscription["resource"] == watch.resource
    assert subscription["changeType"] == "created,updated,deleted"
    assert datetime.now(UTC) + timedelta(minutes=4200) < watch.expires_at
    assert watch.expires_at <= datetime.now(UTC) + timedelta(minutes=4230)

    event = graph.add_event(CALENDAR, ny(monday, 9), ny(monday, 10))
    assert graph.notify(CALENDAR, event["id"]) == [202]
    assert graph.notify(CALENDAR, event["id"], client_state="forged") == [202]  # the engine ignores it

    assert endpoint.pairs == [(watch.id, watch.secret), (watch.id, "forged")]


def test_renew_moves_the_expiry_and_stop_deletes(backend, graph, endpoint, time_machine):
    watch = backend.watch(CALENDAR, endpoint.url)
    time_machine.shift(timedelta(days=2))

    renewed = backend.renew_watch(CALENDAR, watch)

    assert (renewed.id, renewed.secret) == (watch.id, watch.secret)
    assert renewed.expires_at >= watch.expires_at + timedelta(days=2) - timedelta(minutes=1)
    assert len(endpoint.validations) == 1  # no second handshake
    backend.stop_watch(CALENDAR, watch)
    backend.stop_watch(CALENDAR, watch)  # already gone: stopped
    assert graph.subscriptions == {} and graph.deleted_subscriptions == [watch.id]
    assert backend.renew_watch(CALENDAR, watch) is None  # the engine makes a new one


def test_watch_refused_when_the_address_does_not_answer_the_handshake(backend, graph):
    with pytest.raises(CalendarError, match="Subscription validation request failed"):
        backend.watch(CALENDAR, "http://127.0.0.1:9/booking/calendars/push/microsoft/")
    assert graph.subscriptions == {}


def test_read_notification_echoes_the_token_and_reads_a_batch():
    factory = RequestFactory()
    token = "Validation: Testing client application reachability <script>"

    response, pairs = MicrosoftBackend.read_notification(factory.post("/push/?" + f"validationToken={token}",
                                                                      content_type="text/plain"))
    assert (response.status_code, response.content.decode(), pairs) == (200, token, [])
    assert response["Content-Type"].startswith("text/plain") and response["X-Content-Type-Options"] == "nosniff"

    batch = {"value": [{"subscriptionId": "s1", "clientState": "c1", "changeType": "updated"},
                       {"subscriptionId": "s2", "changeType": "deleted"}]}
    response, pairs = MicrosoftBackend.read_notification(factory.post("/push/", batch, content_type="application/json"))
    assert response.status_code == 202 and pairs == [("s1", "c1"), ("s2", "")]

    response, pairs = MicrosoftBackend.read_notification(factory.post("/push/", "not json", content_type="text/plain"))
    assert response.status_code == 400 and pairs == []


def test_every_windows_zone_name_we_map_is_a_zone_and_maps_back():
    from wagtail_booking.sync.backends.windows_zones import IANA_TO_WINDOWS, WINDOWS_ZONES, zone_for

    assert all(zone_for(name) for name in WINDOWS_ZONES)
    assert all(zone_for(iana) and windows in WINDOWS_ZONES for iana, windows in IANA_TO_WINDOWS.items())
    assert zone_for("Pacific Standard Time") == ZoneInfo("America/Los_Angeles") and zone_for("Mars Time") is None
