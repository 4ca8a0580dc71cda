"""The outbox's periodic work: re-queue what an outage kept from Huey, and forget old deliveries."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .dispatch import purge_delivered, sweep


@db_periodic_task(crontab(minute="*"))
def outbox_sweep_task():
    return sweep()


@db_periodic_task(crontab(hour="3", minute="41"))
def outbox_purge_task():
    return purge_delivered()
