"""Huey tasks of the client pages: each loads by id and re-checks before it sends."""

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ..outbox import durable_task
from .emails import send_access_link
from .models import ClientAccessLink


@durable_task(retries=3, retry_delay=30, retry_backoff=2)
def send_access_link_task(link_id):
    link = ClientAccessLink.objects.select_related("site").filter(pk=link_id).first()
    if link is not None and link.used_at is None and link.expires_at > timezone.now():
        send_access_link(link)


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_access_links_task():
    """Used and expired "my bookings" links are of no use after a day (they only record who asked when)."""
    return ClientAccessLink.objects.filter(expires_at__lt=timezone.now() - timedelta(days=1)).delete()[0]
