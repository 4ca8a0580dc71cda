"""Emails to clients about their booking, each with an .ics attachment and the self-service link."""

import logging

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from ..bookings.tokens import manage_token
from ..checkout.facade import paid_payment
from ..checkout.policy_words import cancelled_refund_text, policy_lines
from ..conf import booking_settings
from ..reports.invoices import credit_notes_for_booking, ensure_pdf, invoice_for_booking
from ..reports.links import invoice_url
from ..site_settings import site_settings
from .ics import booking_calendar

logger = logging.getLogger(__name__)

WHEN_FORMAT = "%a %d %b %Y %H:%M %Z"  # the client's zone: Mon 19 Apr 2027 11:00 EDT
SUBJECTS = {
    "confirmed": "Your booking is confirmed: {service}, {when}",
    "requested": "We received your request: {service}, {when}",
    "cancelled": "Your booking was cancelled: {service}, {when}",
    "declined": "We could not accept your request: {service}, {when}",
    "approved": "Your request is approved: {service}, {when}",
    "reminder": "Reminder: {service}, {when}",
    "rescheduled": "Your booking was moved: {service}, {when}",
}


def manage_url(booking, base_url: str) -> str:
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


def reply_to(booking) -> list[str]:
    """Replies go to the booking's business (its contact email), not to the platform's sending address."""
    config = site_settings(booking.site)
    return [config.contact_email] if config and config.contact_email else []


def send_booking_email(booking, kind: str, base_url: str, business_name: str) -> bool:
    """Send one email about the booking. Returns True when its invoice could not be made and must follow later."""
    local_start = booking.local_start()
    when = local_start.strftime(WHEN_FORMAT)
    context = {"booking": booking, "kind": kind, "local_start": local_start, "when": when,
               "manage_url": manage_url(booking, base_url), "business_name": business_name,
               "payment": paid_payment(booking) if kind in ("confirmed", "approved", "rescheduled", "reminder")
               else None}
    attachments = []
    if context["payment"] is not None:
        attachments.append(_invoice(context, booking, base_url, attach=kind in ("confirmed", "approved")))
        if booking.deposit_due > 0:
            context["policy_lines"] = policy_lines(booking.service, booking.client_timezone, booking.start,
                                                   booking.currency)
    if kind in ("cancelled", "declined"):
        context["refund_text"] = cancelled_refund_text(booking)
        attachments.extend(_credit_notes(booking))
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(service=booking.service.name, when=when),
        body=render_to_string("wagtail_booking/email/booking.txt", context),
        from_email=booking_settings.from_email,
        to=[booking.client_email],
        reply_to=reply_to(booking),
    )
    message.attach_alternative(render_to_string("wagtail_booking/email/booking.html", context), "text/html")
    method = "CANCEL" if kind in ("cancelled", "declined") else "PUBLISH"
    message.attach(f"booking-{booking.reference}.ics", booking_calendar(booking, business_name, method),
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
    pdf = ensure_pdf(invoice)
    context = {"booking": booking, "invoice": invoice, "business_name": business_name,
               "when": booking.local_start().strftime(WHEN_FORMAT), "invoice_url": invoice_url(invoice, base_url)}
    message = EmailMultiAlternatives(
        subject=f"Your invoice {invoice.number}: {booking.service.name}",
        body=render_to_string("wagtail_booking/email/invoice.txt", context),
        from_email=booking_settings.from_email, to=[booking.client_email], reply_to=reply_to(booking))
    message.attach(invoice.filename, pdf, "application/pdf")
    message.send()
