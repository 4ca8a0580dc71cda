"""Huey tasks of waitlists: offer a freed place after the commit that freed it, and the periodic sweep."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ..outbox import durable_task
from ..snippets.models import Service
from . import offers


@durable_task(retries=3, retry_delay=30, retry_backoff=2)
def offer_free_places_task(service_id):
    """Safe to run twice: a place already offered is not offered again while its offer lasts."""
    service = Service.objects.filter(pk=service_id).first()
    if service is not None:
        offers.offer_free_places(service)


@db_periodic_task(crontab(minute="*"))
def waitlist_sweep_task():
    """Every minute: lapsed offers pass to the next in line; places freed without a signal are offered."""
    return offers.sweep()
