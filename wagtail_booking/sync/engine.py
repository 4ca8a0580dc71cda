"""The sync engine: the one place that reads and writes connection rows, calendars, cursors and busy blocks.

Backends (``sync/backends``) are stateless adapters; :func:`open_backend` decrypts a connection's credentials for
one task, hands them to the backend and stores what the backend leaves in ``backend.credentials`` (a refreshed
token) encrypted again. Availability reads busy blocks only, so when a service is down or the grant is revoked,
bookings keep using the blocks from the last successful import.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..conf import booking_settings
from ..snippets.models import BusyBlock
from . import crypto
from .backends import get_backend, label_of
from .backends.base import BusyChanges, CursorExpired, ReconnectNeeded
from .models import CalendarConnection, ConnectedCalendar

logger = logging.getLogger(__name__)

# Events that ended longer ago than this are not kept as busy blocks.
KEEP_PAST = timedelta(days=1)
RECONNECT_MESSAGE = gettext_lazy(
    "%(service)s no longer accepts this connection (access was revoked, the password changed or it expired). Busy "
    "times from it are kept as they were at the last sync until you click Connect again.")


def import_window(now=None):
    now = now or timezone.now()
    return now - KEEP_PAST, now + timedelta(days=booking_settings.CALENDAR_IMPORT_DAYS)


def mark_reconnect_needed(connection: CalendarConnection, detail: str = "") -> None:
    logger.warning("Calendar connection %s (%s) of provider %s needs reconnecting: %s", connection.pk,
                   connection.kind, connection.provider_id, detail)
    connection.status = CalendarConnection.Status.RECONNECT
    connection.message = RECONNECT_MESSAGE % {"service": label_of(connection.kind)}
    CalendarConnection.objects.filter(pk=connection.pk).update(status=connection.status, message=connection.message)


@contextmanager
def open_backend(connection: CalendarConnection):
    """The connection's backend for one task. Stores refreshed credentials afterwards; on :class:`ReconnectNeeded`
    marks the connection "reconnect needed" and re-raises."""
    try:
        backend = get_backend(connection.kind, crypto.decrypt(connection.credentials))
    except crypto.InvalidToken as error:
        mark_reconnect_needed(connection, "stored credentials cannot be decrypted")
        raise ReconnectNeeded("stored credentials cannot be decrypted") from error
    backend.time_zone = connection.provider.timezone
    before = backend.credentials
    try:
        yield backend
    except ReconnectNeeded as error:
        mark_reconnect_needed(connection, str(error))
        raise
    finally:
        if backend.credentials != before and connection.status == CalendarConnection.Status.CONNECTED:
            connection.credentials = crypto.encrypt(backend.credentials)
            CalendarConnection.objects.filter(pk=connection.pk).update(credentials=connection.credentials)


def busy_calendars(connection, calendar_pk=None):
    calendars = connection.calendars.filter(busy=True).select_related("connection__provider")
    return calendars.filter(pk=calendar_pk) if calendar_pk is not None else calendars


def refresh_calendars(backend, connection: CalendarConnection) -> None:
    """Offer the account's calendars; primary ones count as busy until the owner chooses otherwise. A provider's
    first connected account's primary calendar receives bookings when none does yet."""
    remote = backend.list_calendars()
    first_time = not connection.calendars.exists()
    known = {c.remote_id: c for c in connection.calendars.all()}
    for entry in remote:
        calendar = known.pop(entry.id, None) or ConnectedCalendar(connection=connection, remote_id=entry.id,
                                                                  busy=entry.primary)
        calendar.name, calendar.primary, calendar.writable = entry.name[:255], entry.primary, entry.writable
        calendar.save()
    for gone in known.values():  # removed from the account, or access to it lost: its blocks go with it
        gone.delete()
    if first_time and backend.can_write:
        choose_default_write_calendar(connection)


def choose_default_write_calendar(connection: CalendarConnection) -> None:
    primary = connection.calendars.filter(primary=True, writable=True).first()
    if primary is None:
        return
    try:
        with transaction.atomic():
            if not ConnectedCalendar.objects.filter(provider_id=connection.provider_id,
                                                    receives_bookings=True).exists():
                ConnectedCalendar.objects.filter(pk=primary.pk).update(receives_bookings=True)
    except IntegrityError:
        pass  # another connection of the provider chose its calendar at the same moment: that one stays


def import_calendar(backend, calendar: ConnectedCalendar) -> int:
    # In the provider's zone: backends read all-day and floating events in the zone of the window they are given.
    zone = ZoneInfo(backend.time_zone or settings.TIME_ZONE)
    start, end = (moment.astimezone(zone) for moment in import_window())
    cursor = calendar.cursor
    try:
        changes = backend.import_busy(calendar.remote_id, cursor, start, end)
    except CursorExpired:
        logger.info("Cursor of calendar %s (connection %s) refused; importing it in full", calendar.pk,
                    calendar.connection_id)
        cursor, changes = "", backend.import_busy(calendar.remote_id, "", start, end)
    return apply_changes(calendar, changes, full=changes.full or not cursor)


def apply_changes(calendar: ConnectedCalendar, changes: BusyChanges, full: bool) -> int:
    """Store one import. A full one replaces the calendar's blocks in one transaction: availability never sees the
    calendar empty. Returns the number of blocks written or deleted."""
    earliest = timezone.now() - KEEP_PAST
    source = _source(calendar.connection.kind)
    with transaction.atomic():
        ConnectedCalendar.objects.select_for_update().filter(pk=calendar.pk).first()  # one import at a time
        blocks = BusyBlock.objects.filter(connected_calendar=calendar)
        keep = {event.uid for event in changes.busy if event.end >= earliest}
        gone = blocks.exclude(external_id__in=keep) if full else blocks.filter(
            external_id__in=set(changes.removed) | {e.uid for e in changes.busy if e.uid not in keep})
        changed = gone.delete()[0]
        kept = [event for event in changes.busy if event.uid in keep]
        _upsert_blocks(calendar, source, blocks, {event.uid: event for event in kept})
        changed += len(kept)
        calendar.cursor, calendar.last_synced_at = changes.cursor, timezone.now()
        ConnectedCalendar.objects.filter(pk=calendar.pk).update(cursor=calendar.cursor,
                                                               last_synced_at=calendar.last_synced_at)
    return changed


def _upsert_blocks(calendar, source, blocks, events) -> None:
    """Write ``events`` (by uid) as the calendar's blocks in a fixed number of queries, however many there are.

    Not ``bulk_create(update_conflicts=...)``: the unique constraint on (calendar, uid) is partial, and neither
    database accepts it as an ON CONFLICT target without its predicate, which Django cannot add.
    """
    existing = {block.external_id: block for block in blocks.filter(external_id__in=list(events))}
    fresh, changed = [], []
    for uid, event in events.items():
        values = {"provider_id": calendar.provider_id, "source": source, "calendar_id": calendar.remote_id[:255],
                  "title": (event.title or _("Busy"))[:200], "starts_at": event.start, "ends_at": event.end}
        block = existing.get(uid)
        if block is None:
            fresh.append(BusyBlock(connected_calendar=calendar, external_id=uid, **values))
        elif any(getattr(block, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(block, name, value)
            changed.append(block)
    BusyBlock.objects.bulk_create(fresh, batch_size=500)
    BusyBlock.objects.bulk_update(changed, ["provider_id", "source", "calendar_id", "title", "starts_at", "ends_at"],
                                  batch_size=500)


def _source(kind: str) -> str:
    """The busy block's source label; a kind added by a project (not one of ours) is shown as a test calendar
    until ``BusyBlock.Source`` names it."""
    return kind if kind in BusyBlock.Source.values and kind != BusyBlock.Source.MANUAL else BusyBlock.Source.DUMMY


def forget_calendar(calendar: ConnectedCalendar) -> None:
    """Drop what was mirrored from a calendar (no longer counted as busy); its next import starts in full."""
    BusyBlock.objects.filter(connected_calendar=calendar).delete()
    ConnectedCalendar.objects.filter(pk=calendar.pk).update(cursor="")


def connected_ids() -> list[int]:
    """Connections the 15-minute poll syncs."""
    return list(CalendarConnection.objects.filter(status=CalendarConnection.Status.CONNECTED)
                .order_by("pk").values_list("pk", flat=True))
