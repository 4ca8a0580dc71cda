"""The client's email after buying a package: how many credits, until when, and the code that proves them."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .. import formats
from ..conf import booking_settings
from ..site_settings import business_name, business_zone, site_settings
from .credits import balance_of, code_for


def send_purchase_email(purchase) -> None:
    with formats.speaking(purchase.language):
        name = business_name(purchase.site)
        context = {"purchase": purchase, "package": purchase.package, "business_name": name,
                   "balance": balance_of(purchase), "code": code_for(purchase),
                   "services": [service.name for service in purchase.package.services.all()],
                   "expires": formats.when(purchase.expires_at, business_zone(purchase.site)),
                   "order_number": purchase.order.number if purchase.order_id else ""}
        config = site_settings(purchase.site)
        message = EmailMultiAlternatives(
            subject=_("Your %(package)s at %(business)s") % {"package": purchase.package.name, "business": name},
            body=render_to_string("wagtail_booking/email/package_purchase.txt", context),
            from_email=booking_settings.from_email, to=[purchase.client_email],
            reply_to=[config.contact_email] if config and config.contact_email else [])
        message.send()
