"""Huey tasks for documents: invoices and credit notes, PDF revenue reports, the monthly email."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ..outbox import durable_task
from . import jobs


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def issue_payment_documents_task(payment_id):
    jobs.issue_payment_documents(payment_id)


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def issue_order_invoice_task(order_id):
    jobs.issue_order_invoice(order_id)


@durable_task(retries=2, retry_delay=60)
def build_revenue_report_task(report_id):
    jobs.build_report(report_id)


@db_periodic_task(crontab(day="1", hour="6", minute="0"))
def monthly_revenue_report_task():
    jobs.send_monthly_report()
