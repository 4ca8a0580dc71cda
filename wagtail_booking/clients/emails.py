"""The email that carries a "my bookings" link."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import formats
from ..conf import booking_settings
from ..site_settings import business_name, site_base_url, site_settings
from .links import LINK_MINUTES, link_token


def send_access_link(link) -> None:
    with formats.speaking(link.language):  # the link opens the list in the language it was asked for, too
        _send(link)


def _send(link) -> None:
    name = business_name(link.site)
    url = site_base_url(link.site).rstrip("/") + reverse("wagtail_booking:my-bookings-open", args=[link_token(link)])
    context = {"url": url, "business_name": name, "minutes": LINK_MINUTES, "confirming": bool(link.user_id)}
    config = site_settings(link.site)
    message = EmailMultiAlternatives(
        subject=_("Your bookings at %(business)s") % {"business": name},
        body=render_to_string("wagtail_booking/email/my_bookings_link.txt", context),
        from_email=booking_settings.from_email, to=[link.email],
        reply_to=[config.contact_email] if config and config.contact_email else [])
    message.attach_alternative(render_to_string("wagtail_booking/email/my_bookings_link.html", context), "text/html")
    message.send()
