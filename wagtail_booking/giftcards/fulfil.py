"""A paid gift card line becomes a card, and the recipient (with a copy to the buyer) gets it as a PDF."""

import logging
from decimal import Decimal

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..conf import booking_settings
from ..formats import money
from . import codes, ledger, pdf, selling
from .models import GiftCard

logger = logging.getLogger(__name__)


def fulfil_line(order, line, payment):
    """``checkout.fulfilment`` hook: one card per order line, issued once, emailed after the order commits.

    The code exists in the clear only here and in the email: it is handed to the after-commit sender in memory,
    never stored. If that email fails, staff resend it from the admin, which gives the card a new code.
    """
    if GiftCard.objects.filter(order_line=line).exists():
        return
    details = selling.line_details(line)
    value = Decimal(line.line_price_incl_tax if line.line_price_incl_tax is not None else line.line_price_excl_tax)
    site_id = int(details["site"]) if details["site"].isdigit() else (payment.site_id if payment else None)
    card, code = ledger.issue(
        site_id, order.currency, value, from_name=details["from_name"], to_name=details["to_name"],
        message=details["message"], recipient_email=details["recipient_email"],
        buyer_email=order.guest_email or getattr(order.user, "email", "") or (payment.email if payment else ""),
        language=details["language"], order=order, order_line=line)
    transaction.on_commit(lambda: send_card(card.pk, code))


def send_card(card_id, code: str) -> bool:
    """Email the card to its recipient, with the buyer in copy, in the buyer's language; True when sent."""
    card = GiftCard.objects.select_related("site").get(pk=card_id)
    try:
        with override(card.language or None):
            context = {"card": card, "amount": money(card.initial_value, card.currency), "code": codes.grouped(code),
                       "business": pdf.business_name(card)}
            subject = _("A gift card from %(name)s") % {"name": card.from_name or context["business"]}
            body = render_to_string("wagtail_booking/giftcards/email.txt", context)
            to = [card.recipient_email or card.buyer_email]
            cc = [card.buyer_email] if card.buyer_email and card.buyer_email not in to else []
            message = EmailMultiAlternatives(subject, body, booking_settings.from_email, to, cc=cc)
            message.attach(_("gift-card") + f"-{card.last4}.pdf", pdf.render(card, code), "application/pdf")
            message.send()
    except Exception:  # noqa: BLE001 - the purchase stands; staff can resend (with a new code)
        logger.exception("Gift card %s could not be emailed", card_id)
        return False
    GiftCard.objects.filter(pk=card_id).update(emailed_at=timezone.now())
    return True


def resend(card) -> bool:
    """Staff: give the card a new code (the old one stops working) and email it again."""
    code = ledger.new_code(card)
    return send_card(card.pk, code)
