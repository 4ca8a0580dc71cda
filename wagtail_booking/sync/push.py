"""Push channels: Google POSTs to our endpoint when a watched calendar changes; the endpoint queues a sync.

Channels are created with ``events.watch`` for each calendar that counts as busy, re-created a day before they
expire (the 15-minute poll checks), and the replaced ones are stopped with ``channels.stop``. Google only delivers
to a public HTTPS address: without ``GOOGLE_PUSH_BASE_URL`` no channels are made and the poll alone keeps the
busy time current.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import crypto
from .models import GoogleConnection, SyncedCalendar
from .sdk import gateway

logger = logging.getLogger(__name__)

CHANNEL_TTL = timedelta(days=7)
RENEW_BEFORE = timedelta(days=1)


def push_address() -> str:
    base = getattr(settings, "GOOGLE_PUSH_BASE_URL", "") or ""
    return base.rstrip("/") + reverse("wagtail_booking:google-push") if base else ""


def renew_channels(service, connection: GoogleConnection, now: datetime | None = None) -> int:
    """Watch every busy calendar whose channel is missing or expires within a day; stop the rest. Returns the
    number of channels created."""
    now = now or timezone.now()
    stop_channels(service, connection.calendars.filter(busy=False).exclude(channel_id=""))
    address = push_address()
    if not address:
        return 0
    created = 0
    for calendar in connection.calendars.filter(busy=True):
        if calendar.channel_id and calendar.channel_expires_at and calendar.channel_expires_at > now + RENEW_BEFORE:
            continue
        old_id, old_resource = calendar.channel_id, calendar.channel_resource_id
        _watch(service, calendar, address)
        created += 1
        if old_id:
            _stop(service, old_id, old_resource, calendar)
    return created


def _watch(service, calendar: SyncedCalendar, address: str) -> None:
    channel_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
    channel = gateway.watch_events(service, calendar.calendar_id, channel_id, token, address,
                                   int(CHANNEL_TTL.total_seconds()))
    calendar.channel_id = channel_id
    calendar.channel_token_hash = crypto.hash_token(token)
    calendar.channel_resource_id = channel.get("resourceId", "")
    expiration = channel.get("expiration")
    calendar.channel_expires_at = (datetime.fromtimestamp(int(expiration) / 1000, tz=UTC) if expiration
                                   else timezone.now() + CHANNEL_TTL)
    calendar.save(update_fields=["channel_id", "channel_token_hash", "channel_resource_id", "channel_expires_at"])


def _stop(service, channel_id, resource_id, calendar=None) -> None:
    try:
        gateway.stop_channel(service, channel_id, resource_id)
    except (gateway.GoogleUnavailable, gateway.HttpError) as error:
        # A channel we fail to stop still expires by itself; its notifications find no matching channel (404).
        logger.info("Could not stop push channel %s: %s", channel_id, error)
    if calendar is not None and calendar.channel_id == channel_id:
        calendar.channel_id = calendar.channel_token_hash = calendar.channel_resource_id = ""
        calendar.channel_expires_at = None
        calendar.save(update_fields=["channel_id", "channel_token_hash", "channel_resource_id", "channel_expires_at"])


def stop_channels(service, calendars) -> None:
    for calendar in calendars:
        _stop(service, calendar.channel_id, calendar.channel_resource_id, calendar)


def calendar_for_notification(channel_id: str, token: str) -> tuple[int, SyncedCalendar | None]:
    """Check a notification's headers: (404, None) unknown channel, (403, None) wrong token, (200, calendar)."""
    calendar = (SyncedCalendar.objects.select_related("connection").filter(channel_id=channel_id).first()
                if channel_id else None)
    if calendar is None:
        return 404, None
    if not crypto.tokens_match(token, calendar.channel_token_hash):
        return 403, None
    return 200, calendar
