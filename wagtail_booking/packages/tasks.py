"""Huey tasks of packages: the purchase email, and the nightly write-off of expired credits."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ..outbox import durable_task
from .credits import expire_all
from .emails import send_purchase_email
from .models import CreditPurchase


@durable_task(retries=3, retry_delay=30, retry_backoff=2)
def send_purchase_email_task(purchase_id):
    purchase = CreditPurchase.objects.select_related("package", "site", "order").filter(pk=purchase_id).first()
    if purchase is not None:
        send_purchase_email(purchase)


@db_periodic_task(crontab(minute="23"))
def expire_credits_task():
    """Every hour: credits past their date stop counting, with an "expired" entry in their ledger."""
    return expire_all()
