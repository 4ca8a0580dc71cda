"""Emails to clients about their booking, each with an .ics attachment and the self-service link."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from ..bookings.tokens import manage_token
from ..conf import booking_settings
from .ics import booking_calendar

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


def _invoice_url(booking, base_url):
    from ..reports.invoices import invoice_for_booking
    from ..reports.links import invoice_url

    invoice = invoice_for_booking(booking)
    return invoice_url(invoice, base_url) if invoice else ""


def send_booking_email(booking, kind: str, base_url: str, business_name: str) -> None:
    local_start = booking.local_start()
    when = local_start.strftime("%a %d %b %Y %H:%M %Z")
    from ..checkout.facade import paid_payment

    context = {"booking": booking, "kind": kind, "local_start": local_start, "when": when,
               "manage_url": manage_url(booking, base_url), "business_name": business_name,
               "payment": paid_payment(booking) if kind in ("confirmed", "approved", "rescheduled", "reminder")
               else None}
    if context["payment"] is not None:
        context["invoice_url"] = _invoice_url(booking, base_url)
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(service=booking.service.name, when=when),
        body=render_to_string("wagtail_booking/email/booking.txt", context),
        from_email=booking_settings.from_email,
        to=[booking.client_email],
    )
    message.attach_alternative(render_to_string("wagtail_booking/email/booking.html", context), "text/html")
    method = "CANCEL" if kind in ("cancelled", "declined") else "PUBLISH"
    message.attach(f"booking-{booking.reference}.ics", booking_calendar(booking, business_name, method),
                   f"text/calendar; method={method}")
    if kind in ("confirmed", "approved"):
        from ..reports.invoices import invoice_attachment

        invoice = invoice_attachment(booking)  # None until money was taken
        if invoice:
            message.attach(*invoice)
    message.send()
