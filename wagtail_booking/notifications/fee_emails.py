"""The email asking a client to confirm, with their bank, a fee charged to the card they keep on file."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import formats
from ..checkout.card_models import FeeCharge
from ..checkout.fees import authentication_token
from ..conf import booking_settings
from .context import business_name, site_base_url
from .emails import client_when


def authentication_url(fee) -> str:
    """The signed link to the page where the client confirms the payment (in their language)."""
    path = reverse("wagtail_booking:fee-authenticate", args=[fee.pk, authentication_token(fee)])
    return site_base_url(fee.booking.site).rstrip("/") + path


def send_authentication_email(fee_id) -> bool:
    """Send it unless the fee was paid meanwhile; True when sent."""
    fee = (FeeCharge.objects.select_related("booking", "booking__service", "booking__site", "payment", "saved_card")
           .filter(pk=fee_id).first())
    if fee is None or fee.payment is None or fee.payment.state == fee.payment.State.CAPTURED:
        return False
    booking = fee.booking
    with formats.speaking(booking.language):
        data = {"booking": booking, "business_name": business_name(booking.site), "url": authentication_url(fee),
                "when": client_when(booking), "amount": formats.money(fee.amount, fee.currency),
                "card": fee.saved_card.description, "no_show": fee.reason == FeeCharge.Reason.NO_SHOW}
        EmailMessage(subject=_("Please confirm a payment: %(amount)s to %(business)s") % {
                         "amount": data["amount"], "business": data["business_name"]},
                     body=render_to_string("wagtail_booking/email/fee_authentication.txt", data),
                     from_email=booking_settings.from_email, to=[booking.client_email]).send()
    return True
