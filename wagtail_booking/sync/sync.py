"""Busy time in: mirror the chosen Google calendars as read-only busy blocks, incrementally by sync token.

Availability reads busy blocks only, so when Google is unreachable or the grant is revoked, bookings keep using
the blocks from the last successful sync.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..bookings.availability import local_day_bounds
from ..snippets.models import BusyBlock
from .models import GoogleConnection, SyncedCalendar
from .oauth import google_service
from .sdk import gateway
from .writeback import OWN_EVENT_KEY, out_of_date, reconcile

logger = logging.getLogger(__name__)

# Events that ended longer ago than this are not kept as busy blocks.
KEEP_PAST = timedelta(days=1)
NOT_BUSY_TYPES = {"workingLocation"}


def sync_connection(connection_id: int, calendar_pk: int | None = None) -> int:
    """Sync one connection (or only one of its calendars, after a push). Returns the number of blocks changed.

    Raises ``gateway.GoogleUnavailable`` so the Huey task retries; a revoked grant only marks the connection.
    """
    connection = GoogleConnection.objects.select_related("provider").filter(pk=connection_id).first()
    if connection is None or not connection.is_connected:
        return 0
    from .push import renew_channels

    changed = 0
    try:
        with google_service(connection) as service:
            if calendar_pk is None:
                refresh_calendars(service, connection)
            calendars = connection.calendars.filter(busy=True)
            if calendar_pk is not None:
                calendars = calendars.filter(pk=calendar_pk)
            for calendar in calendars:
                changed += sync_calendar(service, calendar, connection.provider)
            renew_channels(service, connection)
            if calendar_pk is None:
                for booking in out_of_date(connection):
                    reconcile(service, connection, booking)
    except gateway.ReconnectNeeded:
        return 0
    except gateway.GoogleUnavailable as error:
        connection.message = _("Google did not answer at the last attempt (%(error)s); it will be tried again.") % {
            "error": error}
        connection.save(update_fields=["message"])
        raise
    connection.last_synced_at = timezone.now()
    connection.message = ""
    connection.save(update_fields=["last_synced_at", "message"])
    return changed


def refresh_calendars(service, connection: GoogleConnection) -> None:
    """Offer the account's calendars; the primary one counts as busy until the owner chooses otherwise."""
    entries = gateway.list_calendars(service)
    known = {c.calendar_id: c for c in connection.calendars.all()}
    for entry in entries:
        calendar = known.pop(entry["id"], None) or SyncedCalendar(connection=connection, calendar_id=entry["id"],
                                                                  busy=bool(entry.get("primary")))
        calendar.summary = entry.get("summaryOverride") or entry.get("summary", "")[:255]
        calendar.primary = bool(entry.get("primary"))
        calendar.save()
        if calendar.primary and connection.account != entry["id"]:
            connection.account = entry["id"]
            connection.save(update_fields=["account"])
    for gone in known.values():  # removed from the account, or access lost
        forget_calendar(gone)
        gone.delete()


def forget_calendar(calendar: SyncedCalendar) -> None:
    """Drop what was mirrored from a calendar (deselected or removed); the next sync of it starts in full."""
    _blocks(calendar).delete()
    SyncedCalendar.objects.filter(pk=calendar.pk).update(sync_token="")


def sync_calendar(service, calendar: SyncedCalendar, provider) -> int:
    full = not calendar.sync_token
    try:
        events, token = gateway.list_events(service, calendar.calendar_id, calendar.sync_token)
    except gateway.SyncTokenExpired:
        logger.info("Sync token of calendar %s (provider %s) expired; syncing in full", calendar.pk, provider.pk)
        full = True
        events, token = gateway.list_events(service, calendar.calendar_id, "")
    with transaction.atomic():
        if full:  # replaces everything in one transaction: availability never sees the calendar empty
            _blocks(calendar).delete()
        changed = sum(_apply(calendar, provider, event) for event in events)
        calendar.sync_token = token
        calendar.last_synced_at = timezone.now()
        calendar.save(update_fields=["sync_token", "last_synced_at"])
    return changed


def busy_span(event: dict, zone: str) -> tuple[datetime, datetime] | None:
    """The time ``event`` keeps its owner busy, or ``None`` when it does not (free, cancelled, declined, ours)."""
    if event.get("status") == "cancelled" or event.get("transparency") == "transparent":
        return None
    if event.get("eventType") in NOT_BUSY_TYPES or _is_ours(event) or _declined(event):
        return None
    start, end = event.get("start", {}), event.get("end", {})
    if "dateTime" in start and "dateTime" in end:
        span = datetime.fromisoformat(start["dateTime"]), datetime.fromisoformat(end["dateTime"])
    elif "date" in start and "date" in end:  # all-day: Google's end date is exclusive
        first, after = date.fromisoformat(start["date"]), date.fromisoformat(end["date"])
        span = local_day_bounds(first, max(first, after - timedelta(days=1)), zone)
    else:
        return None
    return span if span[1] > span[0] else None


def _is_ours(event: dict) -> bool:
    return OWN_EVENT_KEY in ((event.get("extendedProperties") or {}).get("private") or {})


def _declined(event: dict) -> bool:
    return any(a.get("self") and a.get("responseStatus") == "declined" for a in event.get("attendees", []))


def _apply(calendar: SyncedCalendar, provider, event: dict) -> int:
    span = busy_span(event, provider.timezone)
    blocks = _blocks(calendar).filter(external_id=event["id"])
    if span is None or span[1] < timezone.now() - KEEP_PAST:
        return blocks.delete()[0]
    title = _("Busy") if event.get("visibility") in ("private", "confidential") else event.get("summary", "")
    BusyBlock.objects.update_or_create(
        provider=provider, source=BusyBlock.Source.GOOGLE, calendar_id=calendar.calendar_id,
        external_id=event["id"], defaults={"title": (title or _("Busy"))[:200], "starts_at": span[0],
                                           "ends_at": span[1]})
    return 1


def _blocks(calendar: SyncedCalendar):
    return BusyBlock.objects.filter(provider_id=calendar.connection.provider_id, source=BusyBlock.Source.GOOGLE,
                                    calendar_id=calendar.calendar_id)


def connected_ids() -> list[int]:
    """Connections the 15-minute poll syncs."""
    return list(GoogleConnection.objects.filter(status=GoogleConnection.Status.CONNECTED).values_list("pk", flat=True))
