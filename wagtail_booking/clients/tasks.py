"""Huey tasks of the client pages: each loads by id and re-checks before it sends."""

from django.utils import timezone

from ..outbox import durable_task
from .emails import send_access_link
from .models import ClientAccessLink


@durable_task(retries=3, retry_delay=30, retry_backoff=2)
def send_access_link_task(link_id):
    link = ClientAccessLink.objects.select_related("site").filter(pk=link_id).first()
    if link is not None and link.used_at is None and link.expires_at > timezone.now():
        send_access_link(link)
