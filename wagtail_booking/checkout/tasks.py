"""Huey tasks for deposits: capture, settle a cancellation, capture ageing card authorisations."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ..outbox import durable_task
from . import fees, series_upfront, settlement


@durable_task(retries=5, retry_delay=30, retry_backoff=2)
def capture_deposit_task(booking_id):
    settlement.capture_deposit(booking_id)


@durable_task(retries=5, retry_delay=30, retry_backoff=2, pass_final_attempt=True)
def settle_cancellation_task(booking_id, by, final_attempt=False):
    settlement.settle_cancellation(booking_id, by, final_attempt=final_attempt)


@db_periodic_task(crontab(minute="17"))
def capture_ageing_authorisations_task():
    return settlement.capture_ageing_authorisations()


@durable_task(retries=5, retry_delay=30, retry_backoff=2)
def charge_no_show_fee_task(booking_id):
    fees.charge_automatically(booking_id)


@durable_task(retries=5, retry_delay=30, retry_backoff=2)
def charge_series_deposits_task(series_id):
    series_upfront.charge_later(series_id)
