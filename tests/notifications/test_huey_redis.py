"""Real Huey consumers on Redis: two processes with two workers each; every reminder goes out exactly once."""

import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection

from tests.helpers import ny, wait_until
from wagtail_booking.bookings import services
from wagtail_booking.notifications.models import ReminderSent
from wagtail_booking.notifications.sending import reminder_id
from wagtail_booking.outbox.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_or_skip():
    if not REDIS_URL:
        pytest.skip("No Redis: set REDIS_URL or run a local server (scripts/test.sh finds one)")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {REDIS_URL} does not answer: {error}")


@pytest.mark.django_db(transaction=True)
def test_each_reminder_sent_once_and_revoked_never(service, monday, site_root, tmp_path):
    redis_or_skip()
    from huey import RedisHuey

    from wagtail_booking.tasks import send_reminder_task

    queue = f"wb-test-{uuid.uuid4().hex[:8]}"
    producer = RedisHuey(queue, url=REDIS_URL, utc=True)
    producer._registry.register(send_reminder_task.task_class)  # the consumers know it from wagtail_booking.tasks
    bookings = [services.create_hold(service, ny(monday, hour), services.ClientDetails(
        f"Client {hour}", f"client{hour}@example.com", "America/New_York")) for hour in (9, 11, 13)]
    eta = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=2)
    for booking in bookings:
        for copy in range(3):  # the same reminder scheduled three times over (retries, double signals)
            task = send_reminder_task.s(booking.pk, 60, booking.start.isoformat())
            task.id = reminder_id(booking.pk, 60, booking.start) + ("" if copy == 0 else f"-copy{copy}")
            task.eta = eta
            producer.enqueue(task)
    revoked = bookings[2]
    for copy in range(3):
        producer.revoke_by_id(reminder_id(revoked.pk, 60, revoked.start) + ("" if copy == 0 else f"-copy{copy}"))

    # The consumers run on this test's pinned clock (tests/settings_huey_redis.py), so the eta means the same there.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings_huey_redis", "HUEY_QUEUE_NAME": queue,
           "CONSUMER_NOW": datetime.now(UTC).isoformat(),
           "EMAIL_FILE_PATH": str(tmp_path), "CONSUMER_DATABASE_NAME": connection.settings_dict["NAME"],
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "sandbox")])}
    command = [sys.executable, str(ROOT / "sandbox" / "manage.py"), "run_huey", "--workers", "2",
               "--no-periodic", "--scheduler-interval", "1", "--delay", "0.1", "--max-delay", "0.5"]
    consumers = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for _ in range(2)]
    try:
        # A reminder records its email in the outbox, which a consumer then sends: wait for that too.
        wait_until(lambda: ReminderSent.objects.count() == 2 and not OutboxMessage.objects.pending().exists()
                   and not (producer.pending_count() or producer.scheduled_count()), timeout=60,
                   message="the consumers to send every reminder")
    finally:
        for consumer in consumers:
            consumer.send_signal(signal.SIGINT)  # graceful: the workers finish the tasks they took, then exit
        errors = [consumer.communicate(timeout=20)[1].decode() for consumer in consumers]
        print("Consumers' stderr:", *errors, sep="\n")  # pytest shows it when the test fails
        producer.storage.flush_all()
    assert producer.pending_count() == producer.scheduled_count() == 0, errors
    sent = sorted(ReminderSent.objects.values_list("booking_id", flat=True))
    assert sent == sorted(b.pk for b in bookings[:2]), errors
    reminder_emails = [p.read_text() for p in tmp_path.iterdir()]
    subjects = [line for text in reminder_emails for line in text.splitlines() if line.startswith("Subject: Reminder")]
    assert len(subjects) == 2
    assert not any(revoked.client_email in text for text in reminder_emails)
