"""Tokens in a client's self-service links (manage, booked, pay).

The token is a ``django.core.signing`` signature of the booking reference and a random per-booking salt. Nothing
derived from it is stored, so the email task can rebuild the link, a new salt revokes every earlier link, and a
rotated ``SECRET_KEY`` keeps old links working while the old key is listed in ``SECRET_KEY_FALLBACKS``.

Bookings made by earlier releases stored the SHA-256 of an older kind of token (an HMAC that ignored the
fallbacks); that hash is still accepted, so links already emailed keep working until the booking gets a new salt.
"""

import hashlib
import secrets

from django.core import signing
from django.utils.crypto import constant_time_compare

KEY_SALT = "wagtail_booking.manage-link"


def _signer() -> signing.Signer:
    return signing.Signer(salt=KEY_SALT, algorithm="sha256")  # built per call: settings may change (rotation)


def _signed_value(booking) -> str:
    return f"{booking.reference}:{booking.manage_token_salt}"


def issue_token(booking) -> None:
    """Give the (unsaved) booking a fresh salt, revoking every link made before."""
    booking.manage_token_salt = secrets.token_hex(16)
    booking.manage_token_hash = ""


def manage_token(booking) -> str:
    """The token for the booking's links, signed with the current ``SECRET_KEY``."""
    return _signer().signature(_signed_value(booking))


def check_token(booking, token) -> bool:
    """True when ``token`` was issued for this booking's current salt, under the current key or a fallback."""
    if not isinstance(token, str) or not token or not booking.manage_token_salt:
        return False
    try:
        _signer().unsign(f"{_signed_value(booking)}:{token}")
        return True
    except signing.BadSignature:
        pass
    legacy_hash = booking.manage_token_hash
    return bool(legacy_hash) and constant_time_compare(hashlib.sha256(token.encode()).hexdigest(), legacy_hash)
