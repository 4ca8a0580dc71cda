"""Emails to clients about their booking, each with an .ics attachment and the self-service link."""

import logging

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import formats
from ..bookings import series_payments
from ..bookings.tokens import manage_token
from ..checkout.facade import paid_payment
from ..checkout.policy_words import cancelled_refund_text, policy_lines
from ..conf import booking_settings
from ..packages import credits
from ..reports.invoices import credit_notes_for_booking, ensure_pdf, invoice_for_booking
from ..reports.links import invoice_url
from ..site_settings import site_settings
from .ics import bookings_calendar

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmed": gettext_lazy("Your booking is confirmed: %(service)s, %(when)s"),
    "requested": gettext_lazy("We received your request: %(service)s, %(when)s"),
    "cancelled": gettext_lazy("Your booking was cancelled: %(service)s, %(when)s"),
    "declined": gettext_lazy("We could not accept your request: %(service)s, %(when)s"),
    "approved": gettext_lazy("Your request is approved: %(service)s, %(when)s"),
    "reminder": gettext_lazy("Reminder: %(service)s, %(when)s"),
    "rescheduled": gettext_lazy("Your booking was moved: %(service)s, %(when)s"),
    "meeting_link": gettext_lazy("Your video link: %(service)s, %(when)s"),
}


def client_when(booking) -> str:
    """The booking's start for the client, in their zone and the active language: Mon 19 Apr 2027, 11:00
    (America/New_York)."""
    return formats.when(booking.start, booking.client_timezone)


def manage_url(booking, base_url: str) -> str:
    """The manage page's absolute link, in the active language (``/es/booking/manage/...`` under Spanish)."""
    path = reverse("wagtail_booking:manage", args=[booking.reference, manage_token(booking)])
    return base_url.rstrip("/") + path


def _invoice(context, booking, base_url, attach):
    """Link the invoice in ``context``; return its attachment for a confirmation. A failure never blocks the email:
    the context then says the invoice follows (``tasks.send_invoice_email_task`` sends it)."""
    try:
        invoice = invoice_for_booking(booking)
        if invoice is None:
            return None
        context["invoice_url"] = invoice_url(invoice, base_url)
        return (invoice.filename, ensure_pdf(invoice), "application/pdf") if attach else None
    except Exception:
        logger.exception("The invoice of booking %s could not be made; the email goes without it", booking.pk)
        context.pop("invoice_url", None)
        context["invoice_follows"] = attach  # only the confirmation owes the client the invoice itself
        return None


def _credit_notes(booking):
    """The credit notes of the booking's refunds, as attachments. Never blocks the email (they stay downloadable
    from the admin and can be sent again)."""
    try:
        return [(note.filename, ensure_pdf(note), "application/pdf") for note in credit_notes_for_booking(booking)]
    except Exception:
        logger.exception("The credit notes of booking %s could not be attached", booking.pk)
        return []


def _series(booking, kind, base_url):
    """For the first appointment's confirmation (or request) of a series: every date with its own manage link and
    state, and the appointments its calendar file adds (``([], [booking])`` for any other email)."""
    if booking.series_id is None or kind not in ("confirmed", "requested"):
        return [], [booking]
    rows = list(booking.series.bookings.order_by("start").select_related("service", "provider", "site"))
    if rows[0].pk != booking.pk:
        return [], [booking]
    zone = booking.client_timezone
    listed = [(formats.when(row.start, zone), manage_url(row, base_url),
               "" if row.status == row.Status.CONFIRMED else series_payments.status_words(row, zone)) for row in rows]
    kept = [row for row in rows if row.status in (row.Status.CONFIRMED, row.Status.REQUESTED)]
    return listed, kept or [booking]


def reply_to(booking) -> list[str]:
    """Replies go to the booking's business (its contact email), not to the platform's sending address."""
    config = site_settings(booking.site)
    return [config.contact_email] if config and config.contact_email else []


def send_booking_email(booking, kind: str, base_url: str, business_name: str) -> bool:
    """Send one email about the booking, in the client's language. Returns True when its invoice could not be made
    and must follow later."""
    with formats.speaking(booking.language):
        return _send_booking_email(booking, kind, base_url, business_name)


def _send_booking_email(booking, kind, base_url, business_name):
    when = client_when(booking)
    context = {"booking": booking, "kind": kind, "local_start": booking.local_start(), "when": when,
               "manage_url": manage_url(booking, base_url), "business_name": business_name,
               "payment": paid_payment(booking) if kind in ("confirmed", "approved", "rescheduled", "reminder")
               else None,
               "credit": credits.paid_with(booking) if kind in ("confirmed", "approved", "rescheduled", "reminder")
               else None}
    attachments = []
    if context["payment"] is not None:
        attachments.append(_invoice(context, booking, base_url, attach=kind in ("confirmed", "approved")))
        if booking.deposit_due > 0:
            context["policy_lines"] = policy_lines(booking.service, booking.client_timezone, booking.start,
                                                   booking.currency)
    elif context["credit"] is not None:  # paid with a package credit: when the credit comes back, not a deposit
        context["policy_lines"] = policy_lines(booking.service, booking.client_timezone, booking.start,
                                               booking.currency, credit=True)
    context["series"], in_calendar = _series(booking, kind, base_url)
    if kind in ("cancelled", "declined"):
        context["refund_text"] = cancelled_refund_text(booking)
        attachments.extend(_credit_notes(booking))
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind] % {"service": booking.service.name, "when": when},
        body=render_to_string("wagtail_booking/email/booking.txt", context),
        from_email=booking_settings.from_email,
        to=[booking.client_email],
        reply_to=reply_to(booking),
    )
    message.attach_alternative(render_to_string("wagtail_booking/email/booking.html", context), "text/html")
    method = "CANCEL" if kind in ("cancelled", "declined") else "PUBLISH"
    message.attach(f"booking-{booking.reference}.ics", bookings_calendar(in_calendar, business_name, method),
                   f"text/calendar; method={method}")
    for attachment in filter(None, attachments):
        message.attach(*attachment)
    message.send()
    return bool(context.get("invoice_follows"))


def send_invoice_email(booking, base_url: str, business_name: str) -> None:
    """The invoice that could not go with the confirmation. Raises while it still cannot be made (to retry)."""
    invoice = invoice_for_booking(booking)
    if invoice is None:
        return
    with formats.speaking(booking.language):
        pdf = ensure_pdf(invoice)
        context = {"booking": booking, "invoice": invoice, "business_name": business_name,
                   "when": client_when(booking), "invoice_url": invoice_url(invoice, base_url)}
        message = EmailMultiAlternatives(
            subject=_("Your invoice %(number)s: %(service)s") % {"number": invoice.number,
                                                                "service": booking.service.name},
            body=render_to_string("wagtail_booking/email/invoice.txt", context),
            from_email=booking_settings.from_email, to=[booking.client_email], reply_to=reply_to(booking))
        message.attach(invoice.filename, pdf, "application/pdf")
        message.send()
