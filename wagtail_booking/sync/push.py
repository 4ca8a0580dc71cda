"""Push: calendar services call our endpoint when a watched calendar changes; the endpoint queues a sync of it.

A watch is made for each calendar that counts as busy when the backend can watch and the site has a public HTTPS
address (``CALENDAR_PUSH_BASE_URL``); it is made again a day before it expires (the 15-minute poll checks) and the
replaced one is stopped. Notifications are triggers, not data: the backend reads the request
(:meth:`read_notification`), we look each named watch up and compare its secret with the stored SHA-256 hash, and
queue a sync of that calendar. Unknown watches and wrong secrets are ignored alike.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from ..conf import booking_settings
from . import crypto
from .backends import backend_class
from .backends.base import CalendarError, Watch
from .models import CalendarConnection, ConnectedCalendar

logger = logging.getLogger(__name__)

RENEW_BEFORE = timedelta(days=1)
UNKNOWN = "Unknown or stopped notification channel."


def push_base_url() -> str:
    return booking_settings.CALENDAR_PUSH_BASE_URL or getattr(settings, "GOOGLE_PUSH_BASE_URL", "") or ""


def push_address(kind: str) -> str:
    """Our public endpoint for ``kind``. Google keeps the address its channels were registered with before
    connections of other kinds existed, so channels made by earlier releases still arrive."""
    base = push_base_url()
    if not base:
        return ""
    path = (reverse("wagtail_booking:google-push") if kind == "google"
            else reverse("wagtail_booking:calendar-push", args=[kind]))
    return base.rstrip("/") + path


def renew_watches(backend, connection: CalendarConnection, now: datetime | None = None) -> int:
    """Watch every busy calendar whose watch is missing or expires within a day; stop the watches of calendars no
    longer counted as busy. Returns the number of watches made."""
    if not backend.can_watch:
        return 0
    now = now or timezone.now()
    stop_watches(backend, connection.calendars.filter(busy=False).exclude(watch_id=""))
    address = push_address(connection.kind)
    if not address:
        return 0
    made = 0
    for calendar in connection.calendars.filter(busy=True):
        if calendar.watch_id and calendar.watch_expires_at and calendar.watch_expires_at > now + RENEW_BEFORE:
            continue
        old = _stored_watch(calendar)
        if old is not None and _renewed(backend, calendar, old):
            continue
        watch = backend.watch(calendar.remote_id, address)
        if watch is None:
            continue
        _store(calendar, watch)
        made += 1
        if old is not None:
            _stop(backend, calendar.remote_id, old)
    return made


def _renewed(backend, calendar: ConnectedCalendar, watch: Watch) -> bool:
    """Move the watch's expiry forward in place where the kind can (same id; the stored secret hash stays)."""
    renewed = backend.renew_watch(calendar.remote_id, watch)
    if renewed is None or renewed.id != watch.id:
        return False
    calendar.watch_expires_at = renewed.expires_at
    ConnectedCalendar.objects.filter(pk=calendar.pk).update(watch_expires_at=renewed.expires_at)
    return True


def _stored_watch(calendar: ConnectedCalendar) -> Watch | None:
    return Watch(id=calendar.watch_id, secret="", resource=calendar.watch_resource,
                 expires_at=calendar.watch_expires_at) if calendar.watch_id else None


def _store(calendar: ConnectedCalendar, watch: Watch | None) -> None:
    calendar.watch_id = watch.id if watch else ""
    calendar.watch_secret_hash = crypto.hash_token(watch.secret) if watch else ""
    calendar.watch_resource = watch.resource if watch else ""
    calendar.watch_expires_at = watch.expires_at if watch else None
    ConnectedCalendar.objects.filter(pk=calendar.pk).update(
        watch_id=calendar.watch_id, watch_secret_hash=calendar.watch_secret_hash,
        watch_resource=calendar.watch_resource, watch_expires_at=calendar.watch_expires_at)


def _stop(backend, calendar_id: str, watch: Watch) -> None:
    try:
        backend.stop_watch(calendar_id, watch)
    except CalendarError as error:
        # A watch we fail to stop expires by itself; its notifications find no matching watch and are ignored.
        logger.info("Could not stop watch %s: %s", watch.id, error)


def stop_watches(backend, calendars) -> None:
    for calendar in calendars:
        _stop(backend, calendar.remote_id, _stored_watch(calendar))
        _store(calendar, None)


def notified_calendars(kind: str, request) -> tuple[HttpResponse, list[ConnectedCalendar]]:
    """The push endpoint of ``kind``: (the response, the connected calendars named with their right secret)."""
    cls = backend_class(kind)
    if cls is None:
        return HttpResponse(UNKNOWN, status=404, content_type="text/plain"), []
    response, pairs = cls.read_notification(request)
    found = []
    for watch_id, secret in pairs:
        calendar = (ConnectedCalendar.objects.select_related("connection")
                    .filter(watch_id=watch_id, connection__kind=kind).first() if watch_id else None)
        if calendar is None or not crypto.tokens_match(secret, calendar.watch_secret_hash):
            logger.info("Ignored a %s push notification for watch %.80r (unknown, or a wrong secret)", kind,
                        watch_id)
            continue
        found.append(calendar)
    if response is None:
        response = (HttpResponse(status=200) if found
                    else HttpResponse(UNKNOWN, status=404, content_type="text/plain"))
    return response, [c for c in found if c.connection.is_connected]
