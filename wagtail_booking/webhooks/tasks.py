"""Huey tasks for webhooks: send one delivery, sweep up due retries, tell the owner about a disabled endpoint,
forget old deliveries."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ..outbox import durable_task, enqueue
from .delivery import attempt, due, purge
from .emails import send_disabled_email
from .models import WebhookEndpoint

logger = logging.getLogger(__name__)


def send(delivery_id):
    result = attempt(delivery_id, on_disabled=lambda endpoint: enqueue(webhook_disabled_email_task, endpoint.pk))
    if result.next_delivery_id:
        push(result.next_delivery_id)
    return result.outcome


def push(delivery_id) -> bool:
    """Hand a delivery to Huey now; when the broker is down the sweep sends it once it is back."""
    try:
        send_webhook_task(delivery_id)
    except Exception:
        logger.warning("Could not queue webhook delivery %s; the sweep will", delivery_id, exc_info=True)
        return False
    return True


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def deliver_webhook_task(delivery_id):
    """A new event's first attempt, recorded in the outbox with the change that caused it."""
    return send(delivery_id)


@db_task()
def send_webhook_task(delivery_id):
    """A retry, a delivery that waited for an earlier one, or a replay; the delivery row says whether it is due."""
    return send(delivery_id)


@db_periodic_task(crontab(minute="*"))
def webhook_sweep_task():
    sent = 0
    for delivery_id in due():
        if not push(delivery_id):
            break
        sent += 1
    return sent


@db_periodic_task(crontab(hour="4", minute="13"))
def webhook_purge_task():
    return purge()


@durable_task(retries=5, retry_delay=300, retry_backoff=2)
def webhook_disabled_email_task(endpoint_id):
    endpoint = WebhookEndpoint.objects.select_related("site").filter(pk=endpoint_id).first()
    if endpoint is not None and not endpoint.active:
        send_disabled_email(endpoint)
