"""Huey tasks for bookings themselves: housekeeping of expired holds, classes short of their minimum."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import attendance, services, sessions


@db_periodic_task(crontab(minute="*/5"))
def delete_expired_holds_task():
    return services.delete_expired_holds()


@db_periodic_task(crontab(minute="*/5"))
def cancel_short_sessions_task():
    """Every five minutes: seats of abandoned holds are given back (emptied classes close), then classes past
    their cut-off with fewer seats than their minimum are cancelled."""
    sessions.release_abandoned(timezone.now())
    return attendance.cancel_short_sessions()
