"""Huey tasks for gift cards: give back what abandoned baskets held."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import ledger


@db_periodic_task(crontab(minute="*/10"))
def release_abandoned_gift_card_holds_task():
    return ledger.sweep_expired_holds()
