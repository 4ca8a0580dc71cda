"""Huey tasks for Google Calendar: sync a connection, write a booking back, the 15-minute poll."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ..outbox import durable_task
from . import sync, writeback


@db_task(retries=4, retry_delay=60, retry_backoff=2)
def google_sync_task(connection_id, calendar_pk=None):
    return sync.sync_connection(connection_id, calendar_pk)


@durable_task(retries=5, retry_delay=30, retry_backoff=2)
def google_write_back_task(booking_id):
    return writeback.write_back(booking_id)


@db_periodic_task(crontab(minute="*/15"))
def google_poll_task():
    """The fallback to push notifications: queue a sync of every connected provider."""
    ids = sync.connected_ids()
    for pk in ids:
        google_sync_task(pk)
    return len(ids)
