"""The signed, dated token of a balance payment link.

It signs the booking's reference and its manage-link salt (``bookings.tokens``) with a timestamp: a new salt
revokes it with the booking's other links, and it stops working ``BALANCE_LINK_DAYS`` after it was made (the page
then says so with a 410, rather than charging a bill that may have changed).
"""

from django.core import signing
from django.urls import reverse

from ...conf import booking_settings

SALT = "wagtail_booking.balance-link"
VALID, EXPIRED, INVALID = "valid", "expired", "invalid"


def _signer():
    return signing.TimestampSigner(salt=SALT, algorithm="sha256")


def balance_token(booking) -> str:
    """A fresh token for the booking's balance link (its signature and timestamp, not the reference)."""
    signed = _signer().sign(f"{booking.reference}:{booking.manage_token_salt}")
    return signed.split(":", 2)[2]


def check(booking, token) -> str:
    """``VALID``, ``EXPIRED`` (signed for this booking, but too old) or ``INVALID`` (tampered, or revoked)."""
    if not isinstance(token, str) or ":" not in token or not booking.manage_token_salt:
        return INVALID
    value = f"{booking.reference}:{booking.manage_token_salt}:{token}"
    try:
        _signer().unsign(value, max_age=booking_settings.BALANCE_LINK_DAYS * 86400)
        return VALID
    except signing.SignatureExpired:
        return EXPIRED
    except signing.BadSignature:
        return INVALID


def balance_path(booking, token=None) -> str:
    return reverse("wagtail_booking:balance", args=[booking.reference, token or balance_token(booking)])
