"""The payment link for a held booking, sent to the client by text or email (an integrator asks for it, e.g. a
phone assistant that holds a slot while the caller is on the line)."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .. import formats
from ..bookings.models import Booking
from ..checkout.handoff import get_payment_handoff
from ..conf import booking_settings
from .context import business_name, site_base_url, site_settings
from .emails import client_when
from .models import SmsOptOut

CHANNELS = ("sms", "email")


def payment_url(booking) -> str:
    """The absolute link where the client pays for the hold, on the booking's own business site."""
    with formats.speaking(booking.language):  # /es/booking/pay/... for a client who booked in Spanish
        path = get_payment_handoff().checkout_url(booking, None)
    return site_base_url(booking.site).rstrip("/") + path


def sms_problem(site, phone: str, consent: bool) -> str:
    """Why a payment link cannot go by text to ``phone`` for ``site``'s business, or "" when it can."""
    config = site_settings(site)
    if not (config and config.sms_enabled):
        return "Text messages are switched off for this business; send the link by email."
    if not phone or not consent:
        return "A text needs the client's phone and sms_consent: true."
    if SmsOptOut.is_opted_out(phone):
        return "This number opted out of text messages (replied STOP); send the link by email."
    return ""


def context(booking) -> dict:
    """Times in the client's zone, named: Mon 15 Mar 2027, 10:00 (America/New_York); held until 15:05
    (Europe/London). Call it under the client's language (``formats.speaking``)."""
    return {"booking": booking, "business_name": business_name(booking.site), "url": payment_url(booking),
            "when": client_when(booking),
            "expires": formats.when(booking.hold_expires_at, booking.client_timezone, formats.TIME),
            "amount": formats.money(booking.deposit_with_tax, booking.currency)}


def sms_body(booking) -> str:
    with formats.speaking(booking.language):
        return render_to_string("wagtail_booking/sms/payment_link.txt", context(booking)).strip()


def is_wanted(booking) -> bool:
    """A payment link is worth sending only while the hold still keeps the slot."""
    return booking is not None and booking.status == Booking.Status.HELD and booking.is_live


def send_email(booking) -> None:
    with formats.speaking(booking.language):
        data = context(booking)
        message = EmailMultiAlternatives(
            subject=_("Pay to confirm your booking: %(service)s, %(when)s") % {"service": booking.service.name,
                                                                              "when": data["when"]},
            body=render_to_string("wagtail_booking/email/payment_link.txt", data),
            from_email=booking_settings.from_email, to=[booking.client_email])
        message.attach_alternative(render_to_string("wagtail_booking/email/payment_link.html", data), "text/html")
        message.send()
