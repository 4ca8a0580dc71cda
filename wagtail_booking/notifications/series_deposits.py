"""A series' later appointments waiting for their deposits (``bookings.series_payments``): the payment link emailed
before each, and the notice when one was released unpaid. In the client's language and zone.

The sweep claims each message in the transaction that queues it (``mark_link_sent``, ``release_lapsed``), so a
link or a notice goes out once however many sweeps run, and the email task re-checks the appointment before sending.
"""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .. import formats, signals
from ..bookings import series_payments
from ..bookings.models import Booking
from ..conf import booking_settings
from ..outbox import durable_task, enqueue
from .context import business_name, site_base_url
from .emails import client_when, manage_url
from .payment_links import payment_url

LINK, LAPSED = "link", "lapsed"


def context(booking) -> dict:
    """Call it under the client's language (``formats.speaking``)."""
    base = site_base_url(booking.site)
    return {"booking": booking, "business_name": business_name(booking.site), "when": client_when(booking),
            "amount": formats.money(booking.deposit_with_tax, booking.currency),
            "due_by": formats.when(booking.hold_expires_at, booking.client_timezone),
            "url": payment_url(booking) if series_payments.awaits_deposit(booking) else "",
            # a series paid up front whose card was refused for this one
            "refused": booking.payments.filter(kind="deposit", state="failed").exists(),
            "manage_url": manage_url(booking, base)}


def send_email(booking_id, kind) -> bool:
    """The link (while the appointment still waits for its deposit) or the lapse notice; False when not wanted."""
    booking = Booking.objects.select_related("service", "provider", "site").filter(pk=booking_id).first()
    if booking is None:
        return False
    if kind == LINK and not series_payments.awaits_deposit(booking):
        return False  # paid, cancelled or lapsed since the sweep
    if kind == LAPSED and booking.deposit_step != series_payments.LAPSED:
        return False
    with formats.speaking(booking.language):
        data = context(booking)
        if kind == LINK:
            subject = _("Pay the deposit to keep your appointment: %(service)s, %(when)s")
        else:
            subject = _("Appointment released, deposit not paid: %(service)s, %(when)s")
        template = f"wagtail_booking/email/series_deposit_{kind}"
        message = EmailMultiAlternatives(
            subject=subject % {"service": booking.service.name, "when": data["when"]},
            body=render_to_string(f"{template}.txt", data), from_email=booking_settings.from_email,
            to=[booking.client_email])
        message.attach_alternative(render_to_string(f"{template}.html", data), "text/html")
        message.send()
    return True


def sweep(now=None) -> tuple[int, int]:
    """Release the appointments whose deposit is late, then queue the links that are due: (links, released)."""
    now = now or timezone.now()
    with transaction.atomic():
        lapsed = series_payments.release_lapsed(now)
        for booking_id in lapsed:
            enqueue(send_series_deposit_email_task, booking_id, LAPSED)
    sent = 0
    for booking_id in series_payments.links_due(now).values_list("pk", flat=True):
        with transaction.atomic():
            if series_payments.mark_link_sent(booking_id):
                enqueue(send_series_deposit_email_task, booking_id, LINK)
                sent += 1
    return sent, len(lapsed)


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def send_series_deposit_email_task(booking_id, kind):
    send_email(booking_id, kind)


@db_periodic_task(crontab(minute="*/5"))
def series_deposit_sweep_task():
    """Every five minutes: late deposits release their appointments; links go out as they fall due."""
    return sweep()


def _on_refused(sender, booking, **kwargs):
    """A series paid up front could not charge this deposit: its payment link goes out now, once."""
    if series_payments.mark_link_sent(booking.pk):
        enqueue(send_series_deposit_email_task, booking.pk, LINK)


def connect():
    signals.series_deposit_refused.connect(_on_refused, dispatch_uid="wagtail_booking.notifications.series_refused")
