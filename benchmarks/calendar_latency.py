"""Calendar latency: time from a change on the calendar to the poll's ``import_busy`` returning it, per kind.

A poller calls the backend's ``import_busy`` with its cursor every ``--poll`` seconds (the engine's poll, scaled
down); the main thread makes a change at a random moment between polls and waits until a poll returns it. Prints,
over ``--runs`` changes, the mean and max of that end-to-end time and of the ``import_busy`` call that returned the
change. With the engine polling every P seconds the end-to-end mean is about P/2 plus the call.

* ``caldav``: a real Radicale server on a loopback port, one event PUT per run (sync-collection import);
* ``ical``: a loopback HTTP server serving an .ics feed with ETags, the feed replaced per run (conditional GET).

    .venv/bin/python benchmarks/calendar_latency.py [caldav|ical ...] [--runs 20] [--poll 1.0]
"""

import argparse
import hashlib
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import setup  # noqa: E402

setup("bench_wagtail_booking")  # settings only (gettext); no database is used

ZONE = ZoneInfo("America/New_York")


def window():
    now = datetime.now(ZONE)
    return now - timedelta(days=1), now + timedelta(days=60)


def event_lines(uid, start):
    return "\r\n".join([f"UID:{uid}", f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
                        f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}", f"SUMMARY:Busy {uid}"])


def vevent(uid, start):
    return f"BEGIN:VEVENT\r\nDTSTAMP:20270101T000000Z\r\n{event_lines(uid, start)}\r\nEND:VEVENT\r\n"


def soon(days):
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=days)


def vcalendar(*vevents):
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n{''.join(vevents)}END:VCALENDAR\r\n"


class Poller(threading.Thread):
    """Calls ``import_busy`` every ``interval`` seconds; records when each uid first came back, and the call time."""

    def __init__(self, backend, calendar_id, interval):
        super().__init__(daemon=True)
        self.backend, self.calendar_id, self.interval = backend, calendar_id, interval
        self.cursor, self.seen, self.stopped = "", {}, threading.Event()
        self.cursor = backend.import_busy(calendar_id, "", *window()).cursor

    def run(self):
        while not self.stopped.wait(self.interval):
            began = time.perf_counter()
            changes = self.backend.import_busy(self.calendar_id, self.cursor, *window())
            ended = time.perf_counter()
            self.cursor = changes.cursor
            for busy in changes.busy:
                self.seen.setdefault(busy.uid.split("/")[0], (ended, ended - began))


def measure(name, poller, change, runs):
    poller.start()
    end_to_end, calls = [], []
    try:
        for run in range(runs):
            time.sleep(random.uniform(0, poller.interval))  # a change lands anywhere between two polls
            uid = f"bench-{run}-{random.randrange(10**9)}@{name}"
            made = time.perf_counter()
            change(uid, run)
            while uid not in poller.seen:
                time.sleep(0.005)
            seen, call = poller.seen[uid]
            end_to_end.append(seen - made)
            calls.append(call)
    finally:
        poller.stopped.set()
        poller.join()
    print(f"{name}: change -> import_busy returned it, poll every {poller.interval:.1f} s, {runs} runs: "
          f"mean {statistics.mean(end_to_end) * 1000:.0f} ms, max {max(end_to_end) * 1000:.0f} ms; "
          f"the import_busy call itself: mean {statistics.mean(calls) * 1000:.1f} ms, "
          f"max {max(calls) * 1000:.1f} ms")
    return end_to_end, calls


def caldav(runs=20, poll=1.0):
    from fakes.radicale_server import RadicaleServer

    from tests.sync.radicale import OwnerCalendar

    server = RadicaleServer(users={"bench": "bench-password"})
    server.start()
    try:
        owner = OwnerCalendar(server.url, "bench", "bench-password")  # the real caldav client on the owner's side
        for index in range(50):  # a calendar with some history, not an empty one
            owner.put(f"old-{index}", event_lines(f"old-{index}@bench", soon(index % 30)))
        poller = Poller(owner.backend(), owner.calendar_id, poll)
        return measure("caldav", poller, lambda uid, run: owner.put(uid.split("@")[0],
                                                                    event_lines(uid, soon(1 + run % 20))), runs)
    finally:
        server.stop()


def ical(runs=20, poll=1.0):
    from wagtail_booking.sync.backends.ical import ICalSubscriptionBackend

    events = [vevent(f"old-{index}@feed", soon(index % 30)) for index in range(50)]
    feed = {"body": vcalendar(*events).encode()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = feed["body"]
            etag = f'"{hashlib.sha1(body).hexdigest()}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            for name, value in (("Content-Type", "text/calendar"), ("ETag", etag),
                                ("Content-Length", str(len(body)))):
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        backend = ICalSubscriptionBackend(f"http://127.0.0.1:{server.server_address[1]}/cal.ics",
                                          {"ALLOW_LOCAL_ADDRESSES": True})

        def change(uid, run):
            events.append(vevent(uid, soon(1 + run % 20)))
            feed["body"] = vcalendar(*events).encode()

        return measure("ical", Poller(backend, "feed", poll), change, runs)
    finally:
        server.shutdown()
        server.server_close()


KINDS = {"caldav": caldav, "ical": ical}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kinds", nargs="*", help=f"which of {', '.join(KINDS)} (default: all)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls (the engine's poll, scaled)")
    args = parser.parse_args()
    unknown = set(args.kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kind(s): {', '.join(sorted(unknown))}")
    for kind in args.kinds or KINDS:
        KINDS[kind](runs=args.runs, poll=args.poll)


if __name__ == "__main__":
    main()
