"""Huey tasks for calendar connections: sync a connection, write a booking back, the 15-minute poll."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from ..outbox import durable_task
from . import jobs, writeback
from .backends.base import Unavailable
from .engine import connected_ids


@db_task(retries=4, retry_delay=60, retry_backoff=2, context=True)
def calendar_sync_task(connection_id, calendar_pk=None, task=None):
    try:
        return jobs.sync_connection(connection_id, calendar_pk)
    except Unavailable as error:
        if error.retry_after and task is not None and task.retries:
            # The service said when (429 Retry-After): retry after that delay instead of Huey's back-off. RetryTask
            # does not use up a retry by itself, so take one here: a service that keeps saying "later" ends too.
            task.retries -= 1
            raise RetryTask(str(error), delay=error.retry_after) from error
        raise


@durable_task(retries=5, retry_delay=30, retry_backoff=2)
def calendar_write_back_task(booking_id):
    return writeback.write_back(booking_id)


@db_periodic_task(crontab(minute="*/15"))
def calendar_poll_task():
    """The fallback to push notifications, and the only update for kinds that cannot push: queue a sync of every
    connected connection, which also renews watches about to expire."""
    ids = connected_ids()
    for pk in ids:
        calendar_sync_task(pk)
    return len(ids)


# Names of earlier releases: messages already queued under them still run after an upgrade.
@db_task(retries=4, retry_delay=60, retry_backoff=2)
def google_sync_task(connection_id, calendar_pk=None):
    return jobs.sync_connection(connection_id, calendar_pk)


@durable_task(retries=5, retry_delay=30, retry_backoff=2)
def google_write_back_task(booking_id):
    return writeback.write_back(booking_id)
