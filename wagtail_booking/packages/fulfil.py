"""A paid package becomes credits: registered with ``checkout.fulfilment`` for the "package" product class."""

import calendar
from datetime import datetime
from functools import partial

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from ..checkout import fulfilment
from ..outbox import enqueue
from .catalogue import PRODUCT_CLASS_SLUG, package_of
from .credits import code_for, hash_code
from .models import CreditEntry, CreditPurchase


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later; the month's last day when it is shorter (31 Aug + 6 = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def grant_credits(order, line, payment, email_task=None):
    """Called once per order line of a package (see ``checkout.fulfilment``): the buyer's credits, and (queued
    through the outbox) the email that lists them with their code and expiry."""
    package = package_of(line.product)
    if package is None:
        return None
    user = order.user if order.user_id else None
    purchase = CreditPurchase.objects.create(
        site_id=package.site_id, package=package, client_email=order.guest_email or (user.email if user else ""),
        user=user, order=order, order_line_id=line.pk, sessions=package.sessions * line.quantity,
        value_per_session=package.value_per_session, currency=package.price_currency,
        expires_at=add_months(timezone.now(), package.validity_months), language=get_language() or "")
    purchase.code_hash = hash_code(code_for(purchase))
    purchase.save(update_fields=["code_hash"])
    CreditEntry.objects.create(purchase=purchase, kind=CreditEntry.Kind.GRANTED, change=purchase.sessions,
                               reason=f"Order {order.number}")
    if email_task is not None:
        enqueue(email_task, purchase.pk)
    return purchase


def thanks_url(order):
    return reverse("wagtail_booking:package-bought", args=[order.number])


def register(email_task):
    """Called from the app's ``ready()`` with the purchase email's task (functions here never import tasks)."""
    fulfilment.register(PRODUCT_CLASS_SLUG, partial(grant_credits, email_task=email_task), thanks_url=thanks_url)
