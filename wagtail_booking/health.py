"""``GET /booking/health/``: is the database answering, the cache, the Huey queue and its workers, the outbox?

Safe to expose: the answer holds states, counts and ages only, never hostnames, DSNs, versions or errors' texts.
200 when every check is "ok"; 503 when the database is down or any check failed ("degraded" checks say so).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from .outbox.models import OutboxMessage

logger = logging.getLogger(__name__)
HEARTBEAT_KEY = "wagtail_booking:health:last_task"
STALE_HEARTBEAT = timedelta(minutes=5)
OUTBOX_LATE = timedelta(minutes=5)


@db_periodic_task(crontab(minute="*"))
def health_heartbeat_task():
    """Written each minute by a worker: its age tells whether the Huey consumer runs tasks."""
    caches["default"].set(HEARTBEAT_KEY, timezone.now().timestamp(), timeout=None)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok"}


def _cache():
    cache = caches["default"]
    cache.set("wagtail_booking:health:probe", "1", timeout=30)
    return {"status": "ok" if cache.get("wagtail_booking:health:probe") == "1" else "degraded"}


def _queue():
    return {"status": "ok", "pending": HUEY.pending_count(), "scheduled": HUEY.scheduled_count()}


def _worker(now):
    stamp = caches["default"].get(HEARTBEAT_KEY)
    if stamp is None:
        return {"status": "degraded", "last_task_age_seconds": None}
    age = int(now.timestamp() - float(stamp))
    return {"status": "ok" if age <= STALE_HEARTBEAT.total_seconds() else "degraded", "last_task_age_seconds": age}


def _outbox(now):
    late = OutboxMessage.objects.pending().filter(created_at__lt=now - OUTBOX_LATE).count()
    failed = OutboxMessage.objects.filter(failed_at__isnull=False).count()
    return {"status": "ok" if not late else "degraded", "late": late, "failed": failed}


def run_checks(now=None) -> dict:
    now = now or timezone.now()
    checks = {}
    for name, check in (("database", _database), ("cache", _cache), ("queue", _queue),
                        ("worker", lambda: _worker(now)), ("outbox", lambda: _outbox(now))):
        try:
            checks[name] = check()
        except Exception:
            logger.warning("Health check %s failed", name, exc_info=True)
            checks[name] = {"status": "down" if name == "database" else "degraded"}
    return checks


@never_cache
@require_GET
def health(request):
    checks = run_checks()
    healthy = all(check["status"] == "ok" for check in checks.values())
    status = "ok" if healthy else "down" if checks["database"]["status"] != "ok" else "degraded"
    return JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)
