"""The balance after a visit: the payment link staff send (email or text) and the client's receipt once paid.

Both are in the booking's language; amounts come from ``checkout.balances`` as they are when the message is
rendered, so a link sent after an add-on was added states the new total.
"""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .. import formats
from ..checkout.balances import links
from ..checkout.balances.models import AddOn, Tip
from ..checkout.balances.services import balance_of
from ..conf import booking_settings
from .context import business_name, site_base_url
from .emails import client_when


def link_url(booking) -> str:
    """The absolute balance link, on the booking's business site, in the client's language."""
    with formats.speaking(booking.language):
        path = links.balance_path(booking)
    return site_base_url(booking.site).rstrip("/") + path


def context(booking, payment=None) -> dict:
    """What the link and the receipt show; call it under the client's language (``formats.speaking``)."""
    bill = balance_of(booking)
    currency = booking.currency
    tip = Tip.objects.filter(payment=payment).first() if payment is not None else None
    return {"booking": booking, "business_name": business_name(booking.site), "when": client_when(booking),
            "due": formats.money(bill.due, currency), "deposit": formats.money(bill.deposit_kept, currency),
            "add_ons": [(a.description, formats.money(a.amount, a.currency))
                        for a in AddOn.objects.filter(booking=booking)],
            "paid": formats.money(payment.amount_captured, payment.currency) if payment is not None else "",
            "tip": formats.money(tip.amount, tip.currency) if tip else "", "paid_in_full": bill.paid_in_full,
            "url": link_url(booking) if payment is None else ""}


def sms_body(booking) -> str:
    with formats.speaking(booking.language):
        return render_to_string("wagtail_booking/sms/balance_link.txt", context(booking)).strip()


def send_link_email(booking) -> None:
    with formats.speaking(booking.language):
        data = context(booking)
        subject = _("Your balance for %(service)s: %(amount)s") % {"service": booking.service.name,
                                                                   "amount": data["due"]}
        _send(booking, subject, "wagtail_booking/email/balance_link.txt", data)


def send_receipt(booking, payment) -> None:
    with formats.speaking(booking.language):
        data = context(booking, payment)
        subject = _("Balance paid, thank you: %(service)s") % {"service": booking.service.name}
        _send(booking, subject, "wagtail_booking/email/balance_receipt.txt", data)


def _send(booking, subject, template, data):
    EmailMultiAlternatives(subject=subject, body=render_to_string(template, data),
                           from_email=booking_settings.from_email, to=[booking.client_email]).send()
