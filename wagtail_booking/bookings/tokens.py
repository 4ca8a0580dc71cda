"""Tokens in a client's self-service links. Only their SHA-256 is stored.

The token is an HMAC of the booking reference and a random per-booking salt under ``SECRET_KEY``, so the email
task can rebuild the link without the token ever being written down; a new salt revokes old links.
"""

import hashlib
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

KEY_SALT = "wagtail_booking.manage-link"


def _token(booking) -> str:
    return salted_hmac(KEY_SALT, f"{booking.reference}:{booking.manage_token_salt}",
                       algorithm="sha256").hexdigest()[:40]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(booking) -> None:
    """Give the (unsaved) booking a fresh salt and the hash of its token."""
    booking.manage_token_salt = secrets.token_hex(16)
    booking.manage_token_hash = _digest(_token(booking))


def manage_token(booking) -> str:
    return _token(booking)


def check_token(booking, token) -> bool:
    if not isinstance(token, str) or not token or not booking.manage_token_hash:
        return False
    return constant_time_compare(_digest(token), booking.manage_token_hash)
