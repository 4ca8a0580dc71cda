"""Expiring signed links that let a client download their invoice or credit note without an account."""

from django.core import signing
from django.urls import reverse

from ..conf import booking_settings

SALT = "wagtail_booking.reports.invoice"


def invoice_token(document) -> str:
    return signing.dumps({"id": document.pk, "n": document.number}, salt=SALT, compress=True)


def invoice_url(document, base_url: str = "") -> str:
    return base_url.rstrip("/") + reverse("wagtail_booking:invoice", args=[invoice_token(document)])


def document_id(token: str) -> tuple[int, str]:
    """``(id, number)`` from a token; raises ``signing.SignatureExpired`` or ``signing.BadSignature``."""
    data = signing.loads(token, salt=SALT, max_age=booking_settings.INVOICE_LINK_DAYS * 86400)
    return data["id"], data["n"]
