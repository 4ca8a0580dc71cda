"""Huey tasks for bookings themselves: housekeeping of expired holds."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def delete_expired_holds_task():
    return services.delete_expired_holds()
