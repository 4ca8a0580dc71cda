"""The iCal subscription backend with real HTTP against a small loopback server serving .ics feeds."""

import hashlib
import json
import socket
import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from tests.sync.radicale import vcalendar
from wagtail_booking.sync.backends.base import CalendarError, ReconnectNeeded, Unavailable
from wagtail_booking.sync.backends.forms import ICalSubscriptionForm
from wagtail_booking.sync.backends.ical import ICalSubscriptionBackend

PARIS = ZoneInfo("Europe/Paris")
WINDOW = (datetime(2027, 3, 10, tzinfo=PARIS), datetime(2027, 5, 10, tzinfo=PARIS))
WEEKLY = "\r\n".join(["UID:yoga@club", "SUMMARY:Yoga", "DTSTART;TZID=Europe/Paris:20270315T183000",
                      "DTEND;TZID=Europe/Paris:20270315T193000", "RRULE:FREQ=WEEKLY;COUNT=4"])


class FeedServer:
    """Serves ``self.feeds[path] = (status, content type, body)``; answers conditional GETs of 200 feeds with 304
    when the ETag (or, for feeds served without one, Last-Modified) still matches. Records each request's headers."""

    def __init__(self):
        self.feeds, self.requests, self.unsized = {}, [], set()
        self.modified = datetime(2027, 3, 1, tzinfo=UTC)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append((self.path, dict(self.headers)))
                status, kind, body, extra = owner.answer(self.path, self.headers)
                self.send_response(status)
                sized = {} if self.path in owner.unsized else {"Content-Length": str(len(body))}
                for name, value in {"Content-Type": kind, **sized, **extra}.items():
                    self.send_header(name, value)
                self.end_headers()
                if owner.stall is not None and self.path.startswith("/slow"):
                    self.wfile.write(body[:10])  # the headers and a first bit, then nothing until released
                    self.wfile.flush()
                    owner.stall.wait(10)
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.stall = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def publish(self, path, body, status=200, kind="text/calendar; charset=utf-8", validators=("etag", "modified"),
                chunked=False):
        """``chunked``: no Content-Length, the body ends when the connection closes (HTTP/1.0)."""
        (self.unsized.add if chunked else self.unsized.discard)(path)
        self.feeds[path] = (status, kind, body.encode() if isinstance(body, str) else body, validators)

    def answer(self, path, headers):
        if path not in self.feeds:
            return 404, "text/plain", b"not found", {}
        status, kind, body, validators = self.feeds[path]
        if status in (301, 302):
            return status, "text/plain", b"", {"Location": body.decode()}
        extra = {}
        if status == 200 and "etag" in validators:
            extra["ETag"] = f'"{hashlib.sha1(body).hexdigest()}"'
            if headers.get("If-None-Match") == extra["ETag"]:
                return 304, kind, b"", extra
        if status == 200 and "modified" in validators:
            extra["Last-Modified"] = format_datetime(self.modified, usegmt=True)
            if "etag" not in validators and headers.get("If-Modified-Since") == extra["Last-Modified"]:
                return 304, kind, b"", extra
        return status, kind, body, extra

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feeds():
    server = FeedServer()
    yield server
    server.stop()


def backend(url, **options):
    return ICalSubscriptionBackend(url, {"ALLOW_LOCAL_ADDRESSES": True, **options})


def test_an_unchanged_feed_costs_a_304_and_keeps_the_cursor(feeds):
    feeds.publish("/cal.ics", vcalendar(WEEKLY))
    subscription = backend(f"{feeds.url}/cal.ics")
    first = subscription.import_busy("feed", "", *WINDOW)
    assert first.full and len(first.busy) == 4
    again = subscription.import_busy("feed", first.cursor, *WINDOW)
    assert (again.full, again.busy, again.removed, again.cursor) == (False, [], [], first.cursor)
    assert feeds.requests[-1][1]["If-None-Match"] == json.loads(first.cursor)["etag"]


def test_last_modified_alone_is_used_when_the_feed_has_no_etag(feeds):
    feeds.publish("/cal.ics", vcalendar(WEEKLY), validators=("modified",))
    subscription = backend(f"{feeds.url}/cal.ics")
    first = subscription.import_busy("feed", "", *WINDOW)
    assert not subscription.import_busy("feed", first.cursor, *WINDOW).full
    assert feeds.requests[-1][1]["If-Modified-Since"] == "Mon, 01 Mar 2027 00:00:00 GMT"


def test_a_changed_feed_is_imported_in_full(feeds):
    feeds.publish("/cal.ics", vcalendar(WEEKLY))
    subscription = backend(f"{feeds.url}/cal.ics")
    first = subscription.import_busy("feed", "", *WINDOW)
    feeds.publish("/cal.ics", vcalendar(WEEKLY + "\r\nEXDATE;TZID=Europe/Paris:20270322T183000"))
    changed = subscription.import_busy("feed", first.cursor, *WINDOW)
    assert changed.full and changed.cursor != first.cursor
    assert [b.start.astimezone(PARIS).strftime("%m-%d %H:%M") for b in changed.busy] == [
        "03-15 18:30", "03-29 18:30", "04-05 18:30"]  # 18:30 in Paris before and after the change of 28 March
    assert [b.start.astimezone(UTC).hour for b in changed.busy] == [17, 16, 16]


def test_a_feed_without_validators_has_no_cursor(feeds):
    feeds.publish("/cal.ics", vcalendar(WEEKLY), validators=())
    result = backend(f"{feeds.url}/cal.ics").import_busy("feed", "", *WINDOW)
    assert result.full and result.cursor == ""


@pytest.mark.parametrize("body, kind", [
    ("<!doctype html><html><body>Please sign in</body></html>", "text/html"),
    ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n", "text/calendar"),
    ("", "text/calendar"),
])
def test_a_bad_feed_is_a_calendar_error_naming_no_secret(feeds, body, kind):
    feeds.publish("/secret-token-123/cal.ics", body, kind=kind)
    with pytest.raises(CalendarError, match="not a valid iCalendar") as caught:
        backend(f"{feeds.url}/secret-token-123/cal.ics").import_busy("feed", "", *WINDOW)
    assert "secret-token-123" not in str(caught.value)
    assert not isinstance(caught.value, (Unavailable, ReconnectNeeded))  # the engine keeps the last blocks


def test_a_feed_larger_than_the_cap_is_refused(feeds):
    feeds.publish("/big.ics", vcalendar(WEEKLY) + "X" * 5000)
    with pytest.raises(CalendarError, match="larger than"):  # said by its Content-Length
        backend(f"{feeds.url}/big.ics", MAX_BYTES=4000).import_busy("feed", "", *WINDOW)
    feeds.publish("/big.ics", vcalendar(WEEKLY) + "X" * 5000, chunked=True)
    with pytest.raises(CalendarError, match="larger than"):  # found while reading
        backend(f"{feeds.url}/big.ics", MAX_BYTES=4000).import_busy("feed", "", *WINDOW)


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_a_link_that_no_longer_works_says_so(feeds, status):
    if status != 404:
        feeds.publish("/cal.ics", "gone", status=status, kind="text/plain")
    with pytest.raises(CalendarError, match=f"no longer works \\(the server answered {status}\\)"):
        backend(f"{feeds.url}/cal.ics").import_busy("feed", "", *WINDOW)


def test_a_server_error_or_no_server_is_unavailable(feeds):
    feeds.publish("/cal.ics", "oops", status=503, kind="text/plain")
    with pytest.raises(Unavailable):
        backend(f"{feeds.url}/cal.ics").import_busy("feed", "", *WINDOW)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/cal.ics"
    with pytest.raises(Unavailable, match="Could not reach"):
        backend(closed).import_busy("feed", "", *WINDOW)


def test_a_feed_that_stalls_is_unavailable_not_waited_for(feeds):
    release = threading.Event()
    feeds.stall = release
    feeds.publish("/slow.ics", vcalendar(WEEKLY))
    try:
        with pytest.raises(Unavailable):
            backend(f"{feeds.url}/slow.ics", TIMEOUT=0.5).import_busy("feed", "", *WINDOW)
    finally:
        release.set()


def test_redirects_are_followed(feeds):
    feeds.publish("/cal.ics", vcalendar(WEEKLY))
    feeds.publish("/old.ics", "/cal.ics", status=301)
    assert len(backend(f"{feeds.url}/old.ics").import_busy("feed", "", *WINDOW).busy) == 4


def test_connecting_checks_the_feed(feeds):
    feeds.publish("/cal.ics", vcalendar(WEEKLY))
    feeds.publish("/page", "<html><body>My calendar</body></html>", kind="text/html")
    subscription = backend("")
    assert subscription.check_login({"url": f"{feeds.url}/cal.ics"}) == f"{feeds.url}/cal.ics"
    assert subscription.account_name() == "127.0.0.1"
    [calendar] = subscription.list_calendars()
    assert calendar.primary and not calendar.writable
    with pytest.raises(ReconnectNeeded, match="not an iCalendar"):
        backend("").check_login({"url": f"{feeds.url}/page"})
    with pytest.raises(ReconnectNeeded, match="no longer works"):
        backend("").check_login({"url": f"{feeds.url}/missing.ics"})


# Addresses the site must not fetch (SSRF) ------------------------------------------------------------------

@pytest.mark.parametrize("url, reason", [
    ("http://calendar.example.com/cal.ics", "Only https://"),
    ("https://127.0.0.1/cal.ics", "private or local address"),
    ("https://10.1.2.3/cal.ics", "private or local address"),
    ("https://169.254.169.254/latest/meta-data", "private or local address"),
    ("https://[::1]/cal.ics", "private or local address"),
])
def test_local_addresses_and_plain_http_are_refused(url, reason):
    with pytest.raises(CalendarError, match=reason):
        ICalSubscriptionBackend(url).import_busy("feed", "", *WINDOW)
    with pytest.raises(ReconnectNeeded, match=reason):
        ICalSubscriptionBackend().check_login({"url": url})


@pytest.mark.parametrize("given, cleaned", [
    ("webcal://p01-caldav.icloud.com/published/2/abc", "https://p01-caldav.icloud.com/published/2/abc"),
    ("  https://calendar.google.com/calendar/ical/x/basic.ics ", "https://calendar.google.com/calendar/ical/x/basic.ics"),
])
def test_the_form_accepts_https_and_webcal(given, cleaned):
    form = ICalSubscriptionForm({"url": given})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["url"] == cleaned


@pytest.mark.parametrize("given", ["ftp://example.com/cal.ics", "file:///etc/passwd", "example.com/cal.ics"])
def test_the_form_refuses_other_schemes(given):
    form = ICalSubscriptionForm({"url": given})
    assert not form.is_valid()
    assert "https://" in form.errors["url"][0]
