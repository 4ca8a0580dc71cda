"""Huey tasks for bookings themselves: housekeeping of expired holds, classes short of their minimum."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import attendance, services


@db_periodic_task(crontab(minute="*/5"))
def delete_expired_holds_task():
    return services.delete_expired_holds()


@db_periodic_task(crontab(minute="*/5"))
def cancel_short_sessions_task():
    """Every five minutes: classes past their cut-off with fewer seats than their minimum are cancelled."""
    return attendance.cancel_short_sessions()
