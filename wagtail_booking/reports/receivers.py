"""Invoices follow the money: each recorded capture or refund queues the documents it calls for."""

from .. import signals
from ..outbox import enqueue
from .tasks import issue_order_invoice_task, issue_payment_documents_task


def _on_payment_recorded(sender, payment, **kwargs):
    enqueue(issue_payment_documents_task, payment.pk)


def _on_order_paid_without_card(sender, order, **kwargs):
    enqueue(issue_order_invoice_task, order.pk)


def connect():
    signals.payment_recorded.connect(_on_payment_recorded, dispatch_uid="wagtail_booking.reports.payment_recorded")
    signals.order_paid_without_card.connect(_on_order_paid_without_card,
                                            dispatch_uid="wagtail_booking.reports.order_paid_without_card")
