"""The CalDAV backend with the real ``caldav`` client against a real CalDAV server (Radicale on a loopback port)."""

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import RADICALE_PASSWORD, RADICALE_USER
from wagtail_booking.sync.backends.base import (
    CalendarError,
    CursorExpired,
    EventDraft,
    ReconnectNeeded,
    Unavailable,
)
from wagtail_booking.sync.backends.caldav import CalDAVBackend

NEW_YORK = ZoneInfo("America/New_York")
WINDOW = (datetime(2027, 3, 10, tzinfo=NEW_YORK), datetime(2027, 5, 10, tzinfo=NEW_YORK))


def timed(uid, start, end, *more):
    return "\r\n".join([f"UID:{uid}", f"DTSTART:{start}", f"DTEND:{end}", *more])


def draft(start, minutes=60, reference="BK-7QX2"):
    return EventDraft(reference=reference, summary="Haircut with Ana Lopez", description="Booked online",
                      start=start, end=start + timedelta(minutes=minutes), time_zone="America/New_York")


# Connecting ---------------------------------------------------------------------------------------------------

def test_the_right_login_is_accepted_and_lists_the_calendars(dav):
    backend = CalDAVBackend()
    stored = backend.check_login({"url": dav.url, "username": RADICALE_USER, "password": RADICALE_PASSWORD})
    assert json.loads(stored) == {"url": dav.url, "username": RADICALE_USER, "password": RADICALE_PASSWORD}
    assert backend.account_name() == f"{RADICALE_USER} @ {dav.url.split('/')[2]}"
    calendars = backend.list_calendars()
    assert dav.calendar_id in [c.id for c in calendars]
    assert [c.primary for c in calendars].count(True) == 1 and calendars[0].primary
    assert "Work" in [c.name for c in calendars]


def test_a_wrong_password_is_refused_with_a_sentence(dav):
    with pytest.raises(ReconnectNeeded, match="refused this user name and app password"):
        CalDAVBackend().check_login({"url": dav.url, "username": RADICALE_USER, "password": "wrong"})


def test_a_web_site_that_is_not_a_caldav_server_is_refused(html_site):
    with pytest.raises(ReconnectNeeded, match="does not answer as a CalDAV server"):
        CalDAVBackend().check_login({"url": html_site, "username": "maya", "password": "x"})


def test_an_unreachable_server_is_refused(closed_port):
    with pytest.raises(ReconnectNeeded, match="Could not reach"):
        CalDAVBackend().check_login({"url": closed_port, "username": "maya", "password": "x"})


def test_a_password_changed_after_connecting_asks_for_a_reconnect(dav):
    with pytest.raises(ReconnectNeeded, match="no longer accepts"):
        dav.backend(password="changed").import_busy(dav.calendar_id, "", *WINDOW)


def test_a_server_that_went_away_is_unavailable_not_a_reconnect(closed_port):
    backend = CalDAVBackend(json.dumps({"url": closed_port, "username": "maya", "password": "x"}))
    with pytest.raises(Unavailable):
        backend.import_busy(f"{closed_port}maya/work/", "", *WINDOW)


# Busy time in -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [{}, {"SYNC_COLLECTION": False}], ids=["sync-collection", "etags"])
def test_import_then_only_the_changes(dav, options):
    dav.put("a", timed("a@phone", "20270311T140000Z", "20270311T150000Z", "SUMMARY:Dentist"))
    dav.put("b", timed("b@phone", "20270312T140000Z", "20270312T150000Z", "SUMMARY:Gym"))
    backend = dav.backend(**options)
    first = backend.import_busy(dav.calendar_id, "", *WINDOW)
    assert first.full
    assert {(b.uid, b.title, b.start) for b in first.busy} == {
        ("a@phone", "Dentist", datetime(2027, 3, 11, 14, tzinfo=UTC)),
        ("b@phone", "Gym", datetime(2027, 3, 12, 14, tzinfo=UTC))}

    unchanged = backend.import_busy(dav.calendar_id, first.cursor, *WINDOW)
    assert (unchanged.full, unchanged.busy, unchanged.removed) == (False, [], [])

    dav.put("a", timed("a@phone", "20270311T170000Z", "20270311T180000Z", "SUMMARY:Dentist (moved)"))
    dav.delete("b")
    dav.put("c", timed("c@phone", "20270313T140000Z", "20270313T150000Z", "SUMMARY:Lunch"))
    changes = backend.import_busy(dav.calendar_id, unchanged.cursor, *WINDOW)
    assert not changes.full
    assert {(b.uid, b.start) for b in changes.busy} == {("a@phone", datetime(2027, 3, 11, 17, tzinfo=UTC)),
                                                        ("c@phone", datetime(2027, 3, 13, 14, tzinfo=UTC))}
    assert changes.removed == ["b@phone"]
    if not options:
        assert json.loads(changes.cursor)["token"] != json.loads(first.cursor)["token"]


def test_an_event_made_free_or_cancelled_is_removed(dav):
    dav.put("a", timed("a@phone", "20270311T140000Z", "20270311T150000Z"))
    backend = dav.backend()
    first = backend.import_busy(dav.calendar_id, "", *WINDOW)
    dav.put("a", timed("a@phone", "20270311T140000Z", "20270311T150000Z", "TRANSP:TRANSPARENT"))
    changes = backend.import_busy(dav.calendar_id, first.cursor, *WINDOW)
    assert (changes.busy, changes.removed) == ([], ["a@phone"])


def test_a_weekly_event_keeps_its_local_time_across_the_us_and_eu_dst_changes(dav):
    dav.put("ny", timed("ny@phone", "", "", "RRULE:FREQ=WEEKLY;COUNT=6").replace(
        "DTSTART:", "DTSTART;TZID=America/New_York:20270301T090000").replace(
        "DTEND:", "DTEND;TZID=America/New_York:20270301T100000"))
    dav.put("paris", timed("paris@phone", "", "", "RRULE:FREQ=WEEKLY;COUNT=6").replace(
        "DTSTART:", "DTSTART;TZID=Europe/Paris:20270315T180000").replace(
        "DTEND:", "DTEND;TZID=Europe/Paris:20270315T190000"))
    busy = dav.backend().import_busy(dav.calendar_id, "", *WINDOW).busy
    ny = [b for b in busy if b.uid.startswith("ny@")]
    paris = [b for b in busy if b.uid.startswith("paris@")]
    # the window starts on 10 March: the 1st and 8th occurrences (EST) are before it
    assert [b.start.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for b in ny] == [
        "03-15 09:00", "03-22 09:00", "03-29 09:00", "04-05 09:00"]
    assert {b.start.astimezone(UTC).hour for b in ny} == {13}  # EDT
    assert [b.start.astimezone(ZoneInfo("Europe/Paris")).strftime("%m-%d %H:%M") for b in paris] == [
        "03-15 18:00", "03-22 18:00", "03-29 18:00", "04-05 18:00", "04-12 18:00", "04-19 18:00"]
    assert [b.start.astimezone(UTC).hour for b in paris] == [17, 17, 16, 16, 16, 16]  # CET, then CEST from 28 March
    assert len({b.uid for b in busy}) == 10


def test_an_overridden_occurrence_and_an_exdate(dav):
    master = ("UID:class@phone", "SUMMARY:Class", "DTSTART;TZID=America/New_York:20270311T170000",
              "DTEND;TZID=America/New_York:20270311T180000", "RRULE:FREQ=WEEKLY;COUNT=4")
    override = ("UID:class@phone", "RECURRENCE-ID;TZID=America/New_York:20270318T170000", "SUMMARY:Class (late)",
                "DTSTART;TZID=America/New_York:20270318T190000", "DTEND;TZID=America/New_York:20270318T200000")
    dav.put("class", "\r\n".join(master), "\r\n".join(override))
    backend = dav.backend()
    first = backend.import_busy(dav.calendar_id, "", *WINDOW)
    assert [(b.start.astimezone(NEW_YORK).strftime("%m-%d %H:%M"), b.title) for b in first.busy] == [
        ("03-11 17:00", "Class"), ("03-18 19:00", "Class (late)"), ("03-25 17:00", "Class"),
        ("04-01 17:00", "Class")]

    dav.put("class", "\r\n".join(master + ("EXDATE;TZID=America/New_York:20270325T170000",)), "\r\n".join(override))
    changes = backend.import_busy(dav.calendar_id, first.cursor, *WINDOW)
    assert changes.removed == ["class@phone/20270325T210000Z"]
    assert len(changes.busy) == 3


def test_a_refused_sync_token_means_a_full_import(dav):
    dav.put("a", timed("a@phone", "20270311T140000Z", "20270311T150000Z"))
    backend = dav.backend()
    cursor = json.loads(backend.import_busy(dav.calendar_id, "", *WINDOW).cursor)
    cursor["token"] = "http://radicale.org/ns/sync/" + "0" * 64  # a token this server never gave
    with pytest.raises(CursorExpired):
        backend.import_busy(dav.calendar_id, json.dumps(cursor), *WINDOW)
    again = backend.import_busy(dav.calendar_id, "", *WINDOW)  # what the engine does next
    assert again.full and [b.uid for b in again.busy] == ["a@phone"]


@pytest.mark.parametrize("refusal", [
    (403, "application/xml", b'<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:supported-report/></D:error>'),
    (501, "text/plain", b"Not Implemented"),
], ids=["403-supported-report", "501"])
def test_a_server_without_sync_collection_is_followed_by_etags(dav, radicale_server, refusal):
    def no_sync_collection(method, body):
        if method == "REPORT" and b"sync-collection" in body:
            return refusal[0], {"Content-Type": refusal[1]}, refusal[2]

    with Proxy(radicale_server.url, no_sync_collection) as proxy:
        dav.put("a", timed("a@phone", "20270311T140000Z", "20270311T150000Z"))
        dav.put("b", timed("b@phone", "20270312T140000Z", "20270312T150000Z"))
        backend = CalDAVBackend(json.dumps({"url": proxy.url, "username": RADICALE_USER,
                                            "password": RADICALE_PASSWORD}))
        calendar_id = dav.calendar_id.replace(radicale_server.url, proxy.url)
        first = backend.import_busy(calendar_id, "", *WINDOW)
        assert first.full and {b.uid for b in first.busy} == {"a@phone", "b@phone"}
        assert json.loads(first.cursor)["mode"] == "etag"
        dav.delete("b")
        dav.put("c", timed("c@phone", "20270313T140000Z", "20270313T150000Z"))
        changes = backend.import_busy(calendar_id, first.cursor, *WINDOW)
        assert ([b.uid for b in changes.busy], changes.removed, changes.full) == (["c@phone"], ["b@phone"], False)
        assert proxy.refused >= 1


@pytest.mark.parametrize("status, headers, retry_after", [
    (429, {"Retry-After": "120"}, 120), (503, {}, None), (500, {}, None)])
def test_a_busy_or_failing_server_is_unavailable_with_its_retry_after(dav, radicale_server, status, headers,
                                                                     retry_after):
    with Proxy(radicale_server.url, lambda method, body: (status, headers, b"") if method == "REPORT" else None
               ) as proxy:
        backend = CalDAVBackend(json.dumps({"url": proxy.url, "username": RADICALE_USER,
                                            "password": RADICALE_PASSWORD}))
        with pytest.raises(Unavailable) as caught:
            backend.import_busy(dav.calendar_id.replace(radicale_server.url, proxy.url), "", *WINDOW)
    assert caught.value.retry_after == retry_after


def test_a_deleted_calendar_is_a_calendar_error(dav):
    backend = dav.backend()
    with pytest.raises(CalendarError, match="no longer exists"):
        backend.import_busy(dav.calendar_id.rstrip("/") + "-gone/", "", *WINDOW)


def test_a_window_reaching_a_new_day_expands_recurring_events_again(dav):
    dav.put("daily", timed("daily@phone", "20270311T140000Z", "20270311T150000Z", "RRULE:FREQ=DAILY;COUNT=90"))
    backend = dav.backend()
    first = backend.import_busy(dav.calendar_id, "", *WINDOW)
    later_window = (WINDOW[0] + timedelta(days=1), WINDOW[1] + timedelta(days=1))
    later = backend.import_busy(dav.calendar_id, first.cursor, *later_window)
    assert later.full  # nothing changed on the server, but the new last day holds an occurrence
    assert later.busy[-1].start.date() == (WINDOW[1] + timedelta(days=1)).date() - timedelta(days=1)


# Bookings out -------------------------------------------------------------------------------------------------

def test_write_back_is_seen_by_another_client_idempotent_and_never_busy(dav):
    backend = dav.backend()
    start = datetime(2027, 3, 16, 14, tzinfo=UTC)  # 10:00 in New York
    written = backend.write_event(dav.calendar_id, draft(start))
    retried = backend.write_event(dav.calendar_id, draft(start))  # a retry after a timeout
    assert retried.event_id == written.event_id
    [event] = dav.events()
    assert event["SUMMARY"] == "Haircut with Ana Lopez"
    assert event["DTSTART"].dt == datetime(2027, 3, 16, 10, tzinfo=NEW_YORK)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event["UID"] == "BK-7QX2@wagtail-booking"

    moved = backend.write_event(dav.calendar_id, draft(start + timedelta(days=1), minutes=90), written.event_id)
    assert moved.event_id == written.event_id
    [event] = dav.events()
    assert event["DTSTART"].dt == datetime(2027, 3, 17, 10, tzinfo=NEW_YORK)
    assert event["DTEND"].dt == datetime(2027, 3, 17, 11, 30, tzinfo=NEW_YORK)

    imported = backend.import_busy(dav.calendar_id, "", *WINDOW)
    assert imported.busy == []  # the booking itself is not busy time

    backend.delete_event(dav.calendar_id, written.event_id)
    assert dav.events() == []
    backend.delete_event(dav.calendar_id, written.event_id)  # already gone: done


def test_an_event_deleted_on_the_calendar_is_made_again(dav):
    backend = dav.backend()
    written = backend.write_event(dav.calendar_id, draft(datetime(2027, 3, 16, 14, tzinfo=UTC)))
    backend.delete_event(dav.calendar_id, written.event_id)
    backend.write_event(dav.calendar_id, draft(datetime(2027, 3, 16, 14, tzinfo=UTC)), written.event_id)
    assert [str(e["UID"]) for e in dav.events()] == ["BK-7QX2@wagtail-booking"]


def test_our_event_changed_on_the_calendar_stays_out_of_busy_time(dav):
    backend = dav.backend()
    first = backend.import_busy(dav.calendar_id, "", *WINDOW)
    backend.write_event(dav.calendar_id, draft(datetime(2027, 3, 16, 14, tzinfo=UTC)))
    changes = backend.import_busy(dav.calendar_id, first.cursor, *WINDOW)
    assert (changes.busy, changes.removed) == ([], [])


# Servers that are not CalDAV, or not there -------------------------------------------------------------------

@pytest.fixture
def html_site():
    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self._answer()

        def do_PROPFIND(self):
            self._answer()

        def _answer(self):
            body = b"<!doctype html><html><body><h1>Welcome</h1></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


class Proxy:
    """A reverse proxy in front of Radicale: ``rule(method, body)`` returns (status, headers, body) for the requests
    it answers itself (a server's refusals and failures), None for those passed through unchanged."""

    def __init__(self, upstream: str, rule):
        import requests

        owner, self.refused = self, 0

        class Proxy(BaseHTTPRequestHandler):
            def handle_one(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = rule(self.command, body)
                if answer is not None:
                    owner.refused += 1
                    return self.reply(*answer)
                answer = requests.request(self.command, upstream.rstrip("/") + self.path, data=body, timeout=10,
                                          headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
                headers = {k: v for k, v in answer.headers.items()
                           if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                                "content-encoding")}
                self.reply(answer.status_code, headers, answer.content)

            def reply(self, status, headers, body):
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = handle_one

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
