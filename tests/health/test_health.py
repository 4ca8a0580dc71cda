"""GET /booking/health/: 200 with every check ok; 503 saying which part is degraded or down; nothing secret."""

from datetime import timedelta

import pytest
from django.test import override_settings
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from tests.outbox.test_redis_outage import free_port
from wagtail_booking.outbox.models import OutboxMessage
from wagtail_booking.tasks import health_heartbeat_task

pytestmark = pytest.mark.django_db


def test_healthy_when_the_worker_ran_recently(client):
    health_heartbeat_task.call_local()
    response = client.get("/booking/health/")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok"} and body["checks"]["cache"] == {"status": "ok"}
    assert body["checks"]["queue"]["pending"] == 0 and body["checks"]["worker"]["last_task_age_seconds"] <= 1
    assert body["checks"]["outbox"] == {"status": "ok", "late": 0, "failed": 0}
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_silent_worker_and_a_late_outbox_are_degraded(client, time_machine):
    health_heartbeat_task.call_local()
    OutboxMessage.objects.create(task="x.y", args=[1])
    OutboxMessage.objects.create(task="x.z", args=[2], failed_at="2027-03-10T15:00:00Z")
    time_machine.shift(timedelta(minutes=10))
    response = client.get("/booking/health/")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "degraded"
    assert body["checks"]["worker"] == {"status": "degraded", "last_task_age_seconds": 600}
    assert body["checks"]["outbox"] == {"status": "degraded", "late": 1, "failed": 1}


def test_redis_down_is_degraded_and_says_which_part(client):
    down = f"redis://127.0.0.1:{free_port()}/0"
    saved = HUEY.storage
    HUEY.storage = RedisStorage(name="wb-health-down", url=down)
    try:
        with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                   "LOCATION": down}}):
            response = client.get("/booking/health/")
    finally:
        HUEY.storage = saved
    body = response.json()
    assert response.status_code == 503 and body["status"] == "degraded"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["cache"] == {"status": "degraded"} and body["checks"]["queue"] == {"status": "degraded"}
    assert "127.0.0.1" not in response.content.decode() and "redis" not in response.content.decode().lower()


def test_the_database_down_is_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise OSError("connection refused by 10.0.0.5")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)  # the database library failing, not our code
    response = client.get("/booking/health/")
    assert response.status_code == 503 and response.json()["status"] == "down"
    assert "10.0.0.5" not in response.content.decode()
