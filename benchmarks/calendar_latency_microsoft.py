"""How long a change in a connected calendar takes to reach ``import_busy``, per calendar kind, against the fakes.

``microsoft``: the real msal and requests against the loopback fake Graph (sandbox/fakes/graph_server.py).

* push: an event is added in the fake; the fake POSTs the change notification to a local endpoint, which reads it
  with ``MicrosoftBackend.read_notification`` and runs one delta import from the stored cursor; timed from the
  change until that import returns the new event (what the engine's push view + sync task do, minus the queue).
* poll: one delta import from the cursor after a change (what the fallback poll costs once it runs; the wait until
  the poll runs comes on top).
* full: a full import of 200 events (pages of 50), as after a delta link expires.

No database. Run: ``.venv/bin/python benchmarks/calendar_latency_microsoft.py``.
"""

import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import setup  # noqa: E402

setup("bench_wagtail_booking_calendars")

REPEATS = 20


def _summary(label, seconds):
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"  {label:<40} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})")


def microsoft():
    from django.conf import settings
    from fakes.graph_server import FakeGraph

    from tests.sync.graph_endpoint import NotificationEndpoint
    from wagtail_booking.sync.backends.microsoft import MicrosoftBackend

    fake = FakeGraph(client_id="bench-client", client_secret="bench-secret", page_size=50)
    fake.start()
    os.environ["REQUESTS_CA_BUNDLE"] = fake.ca_file
    settings.MICROSOFT_CLIENT_ID, settings.MICROSOFT_CLIENT_SECRET = "bench-client", "bench-secret"
    settings.MICROSOFT_AUTHORITY_HOST, settings.MICROSOFT_GRAPH_URL = fake.url, f"{fake.url}/v1.0"
    backend = _connect(fake, MicrosoftBackend)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(days=28)
    calendar = fake.primary
    cursor = backend.import_busy(calendar, "", start, end).cursor

    # Push: the endpoint imports as soon as a notification names the subscription.
    state = {"cursor": cursor, "seen": {}, "done": threading.Event()}

    def on_pairs(pairs):
        changes = backend.import_busy(calendar, state["cursor"], start, end)
        state["cursor"] = changes.cursor
        for event in changes.busy:
            state["seen"][event.uid] = time.perf_counter()
        state["done"].set()

    endpoint = NotificationEndpoint(on_pairs=on_pairs)
    endpoint.start()
    watch = backend.watch(calendar, endpoint.url)
    fake.auto_notify = True
    push = []
    for n in range(REPEATS):
        state["done"].clear()
        began = time.perf_counter()
        event = fake.add_event(calendar, start + timedelta(hours=2 + n), start + timedelta(hours=3 + n))
        while event["id"] not in state["seen"]:
            if not state["done"].wait(10):
                raise RuntimeError("no notification arrived within 10 s")
            state["done"].clear()
        push.append(state["seen"][event["id"]] - began)
    fake.auto_notify = False
    backend.stop_watch(calendar, watch)
    endpoint.stop()

    poll, cursor = [], state["cursor"]
    for n in range(REPEATS):
        fake.add_event(calendar, start + timedelta(days=1, hours=n), start + timedelta(days=1, hours=n, minutes=30))
        began = time.perf_counter()
        changes = backend.import_busy(calendar, cursor, start, end)
        poll.append(time.perf_counter() - began)
        cursor = changes.cursor

    for n in range(200 - 2 * REPEATS):
        fake.add_event(calendar, start + timedelta(days=2, hours=n), start + timedelta(days=2, hours=n, minutes=30))
    full = []
    for _ in range(5):
        began = time.perf_counter()
        assert len(backend.import_busy(calendar, "", start, end).busy) == 200
        full.append(time.perf_counter() - began)
    fake.stop()

    print("microsoft (msal + Graph over loopback TLS, fake Graph)")
    _summary("push: change -> import_busy returns it", push)
    _summary("poll: one delta import after a change", poll)
    _summary("full import, 200 events, pages of 50", full)


def _connect(fake, backend_class):
    import requests

    callback = "https://bench.example/admin/booking/calendars/oauth/microsoft/callback/"
    backend = backend_class()
    url, state, verifier = backend.authorization_url(callback)
    answer = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
    backend.finish_authorization(callback, state, verifier, answer)
    return backend_class(backend.credentials)


SECTIONS = {"microsoft": microsoft}


if __name__ == "__main__":
    for name in sys.argv[1:] or list(SECTIONS):
        SECTIONS[name]()
