"""Encryption at rest for OAuth credentials, and hashing of push-channel tokens.

The Fernet key is derived with HKDF-SHA256 from ``WAGTAIL_BOOKING["ENCRYPTION_KEY"]`` when it is set, otherwise
from Django's ``SECRET_KEY``. Changing that secret makes stored credentials unreadable: the connections then show
"reconnect needed" and the owner connects again. Set ``ENCRYPTION_KEY`` to rotate ``SECRET_KEY`` independently.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from ..conf import booking_settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "hash_token", "tokens_match"]


def _fernet() -> Fernet:
    secret = booking_settings.ENCRYPTION_KEY or settings.SECRET_KEY
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"wagtail-booking",
               info=b"google-calendar-credentials").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """Raises ``InvalidToken`` when the text was encrypted with another key or altered."""
    return _fernet().decrypt(token.encode()).decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, stored_hash: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(hash_token(token), stored_hash)
