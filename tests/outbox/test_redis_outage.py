"""A Redis outage delays side effects, never loses or repeats them, and never fails a booking.

A real redis-server started by the test, a real Huey consumer process on it, the booking API through Django's test
client: Redis is stopped while clients book and cancel, then started again; the outbox sweep hands over what the
outage held back and every email goes out exactly once.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from tests.api.test_public_api import hold_body, post
from tests.helpers import ny
from wagtail_booking.outbox.dispatch import sweep
from wagtail_booking.outbox.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, tmp_path):
        self.port, self.dir, self.process = free_port(), tmp_path, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, "redis-server to answer")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        wait_for(lambda: not self.answers(), "redis-server to stop answering")

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


def wait_for(condition, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.05)  # polling interval of a condition, not a wait for time to pass


@pytest.fixture
def redis_server(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (the test starts its own, to stop it mid-flow)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=10)


@pytest.fixture
def huey_on(redis_server):
    """Point this process's Huey at the test's Redis (not immediate), as the sandbox does with REDIS_URL."""
    queue = f"wb-outage-{uuid.uuid4().hex[:8]}"
    saved = HUEY.storage
    HUEY.immediate = False
    HUEY.storage = RedisStorage(name=queue, url=redis_server.url)
    yield queue
    HUEY.storage = saved
    HUEY.immediate = True


@pytest.fixture
def consumer(huey_on, redis_server, tmp_path):
    mails = tmp_path / "mail"
    mails.mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings_huey_redis", "HUEY_QUEUE_NAME": huey_on,
           "REDIS_URL": redis_server.url, "EMAIL_FILE_PATH": str(mails),
           "CONSUMER_NOW": datetime.now(UTC).isoformat(),  # the consumer runs on this test's pinned clock
           "CONSUMER_DATABASE_NAME": connection.settings_dict["NAME"],
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "sandbox")])}
    command = [sys.executable, str(ROOT / "sandbox" / "manage.py"), "run_huey", "--workers", "2", "--no-periodic",
               "--delay", "0.05", "--max-delay", "0.5"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    yield mails
    process.terminate()
    print("Consumer's stderr:", process.communicate(timeout=20)[1].decode()[-4000:], sep="\n")


def subjects(mails):
    """(recipient, subject) of every email the consumer sent, counted."""
    sent = Counter()
    for path in mails.iterdir():
        to = subject = None
        for line in path.read_text().splitlines():
            if line.startswith("To: "):
                to = line[4:]
            elif line.startswith("Subject: "):
                subject = line[9:].split(":")[0]
            elif line.startswith("-" * 20) and to and subject:
                sent[(to, subject)] += 1
                to = subject = None
    return sent


def all_delivered():
    return not OutboxMessage.objects.pending().exists()


def test_bookings_go_through_a_redis_outage_and_every_email_goes_out_once(client, service, monday, site_root,
                                                                          redis_server, consumer, caplog):
    before = post(client, "/booking/api/holds", hold_body(service, ny(monday, 9), email="before@example.com"))
    assert before.status_code == 201
    wait_for(all_delivered, "the first booking's side effects")

    redis_server.stop()
    throttle_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                  "LOCATION": redis_server.url}}
    with override_settings(CACHES=throttle_cache):
        assert client.get("/booking/api/services").status_code == 200  # the rate limit fails open
        during = [post(client, "/booking/api/holds", hold_body(service, ny(monday, hour), email=f"c{hour}@example.com"))
                  for hour in (10, 11, 12)]
        assert [response.status_code for response in during] == [201, 201, 201]
        first = during[0].json()
        cancelled = post(client, f"/booking/api/bookings/{first['id']}/cancel", {"token": first["manage_token"]})
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert "the outbox sweep will queue it again" in caplog.text
    held_back = OutboxMessage.objects.pending().count()
    assert held_back >= 4  # three confirmations and a cancellation, at least: recorded, not lost

    redis_server.start()
    # The periodic sweep, run now rather than at the next minute (the consumer runs with --no-periodic).
    with override_settings(WAGTAIL_BOOKING={**settings.WAGTAIL_BOOKING, "OUTBOX_SWEEP_AFTER_SECONDS": 0}):
        assert sweep() == held_back
        wait_for(all_delivered, "the held-back side effects after Redis came back")
        assert sweep() == 0  # a second sweep finds nothing left to hand over

    sent = subjects(consumer)
    # c10 cancelled before its confirmation could go out: the task re-checks, so only the cancellation is sent.
    provider = service.providers.get().email  # the staff emails too: three new bookings (not c10's) and a cancel
    assert sent == {("before@example.com", "Your booking is confirmed"): 1,
                    ("c10@example.com", "Your booking was cancelled"): 1,
                    ("c11@example.com", "Your booking is confirmed"): 1,
                    ("c12@example.com", "Your booking is confirmed"): 1,
                    (provider, "New booking"): 3, (provider, "Cancelled"): 1}
    assert not OutboxMessage.objects.filter(failed_at__isnull=False).exists()
