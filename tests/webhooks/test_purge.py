"""Old deliveries are forgotten: delivered and given-up ones after WEBHOOK_KEEP_DAYS, never pending ones, never the
newest of an endpoint."""

from datetime import timedelta

import pytest

from wagtail_booking.tasks import webhook_purge_task
from wagtail_booking.webhooks.delivery import purge
from wagtail_booking.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)


def delivery(endpoint, status, days_ago, time_machine, name):
    """A delivery created ``days_ago`` days before the pinned now, named (in its event type) for what it is."""
    time_machine.shift(-timedelta(days=days_ago))
    row = WebhookDelivery.objects.create(endpoint=endpoint, event_type=name, payload={"name": name}, status=status,
                                         sequence=WebhookDelivery.objects.count() + 1)
    time_machine.shift(timedelta(days=days_ago))
    return row


@pytest.fixture
def log(business, time_machine):
    crm = WebhookEndpoint.objects.create(site=business, url="https://crm.example.com/hooks")
    quiet = WebhookEndpoint.objects.create(site=business, url="https://quiet.example.com/hooks")
    for name, status, days in [("delivered 40d ago", "delivered", 40), ("gave up 35d ago", "failed", 35),
                               ("pending 45d", "pending", 45),
                               ("delivered 31d ago", "delivered", 31), ("delivered 29d ago", "delivered", 29),
                               ("gave up 2d ago", "failed", 2)]:
        delivery(crm, status, days, time_machine, name)
    delivery(quiet, "delivered", 90, time_machine, "quiet one's last, 90d ago")
    return crm, quiet


def kept():
    return set(WebhookDelivery.objects.values_list("event_type", flat=True))


def test_the_daily_task_forgets_finished_deliveries_older_than_thirty_days(log):
    assert webhook_purge_task.call_local() == 3
    assert kept() == {"pending 45d", "delivered 29d ago", "gave up 2d ago",
                      "quiet one's last, 90d ago"}
    assert webhook_purge_task.call_local() == 0


def test_it_deletes_in_batches_and_keeps_each_endpoints_newest(log, settings, time_machine):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "WEBHOOK_KEEP_DAYS": 1}
    assert purge(batch=2) == 4
    assert kept() == {"pending 45d", "gave up 2d ago",
                      "quiet one's last, 90d ago"}
    time_machine.shift(timedelta(days=400))
    assert purge(batch=2) == 0  # each endpoint's newest, and what is pending, stay for ever
