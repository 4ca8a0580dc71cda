"""Encryption at rest for stored secrets (Google credentials, webhook signing secrets).

Fernet keys are derived with HKDF-SHA256 from a secret: ``WAGTAIL_BOOKING["ENCRYPTION_KEY"]`` when it is set,
otherwise Django's ``SECRET_KEY``. New text is encrypted with that key; stored text also decrypts with the keys
derived from ``WAGTAIL_BOOKING["ENCRYPTION_KEY_FALLBACKS"]`` and, while the key comes from ``SECRET_KEY``, from
``SECRET_KEY_FALLBACKS``. ``manage.py booking_rotate_keys`` re-encrypts what each integration stores.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .conf import booking_settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "fernet"]


def _secrets() -> list[str]:
    """The secret to encrypt with, then those that may still decrypt what is stored."""
    fallbacks = booking_settings.ENCRYPTION_KEY_FALLBACKS or []
    if isinstance(fallbacks, str) or not all(isinstance(key, str) and key for key in fallbacks):
        raise ImproperlyConfigured('WAGTAIL_BOOKING["ENCRYPTION_KEY_FALLBACKS"] must be a list of the earlier keys '
                                   '(non-empty strings), e.g. ["old secret"].')
    if booking_settings.ENCRYPTION_KEY:
        return [booking_settings.ENCRYPTION_KEY, *fallbacks]
    return [settings.SECRET_KEY, *fallbacks, *settings.SECRET_KEY_FALLBACKS]


def _derive(secret: str) -> Fernet:
    # The "info" label predates webhooks; changing it would make every stored secret unreadable.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"wagtail-booking",
               info=b"google-calendar-credentials").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def fernet() -> MultiFernet:
    """The current key first, then the fallbacks; ``fernet().rotate(token)`` re-encrypts under the current key."""
    return MultiFernet([_derive(secret) for secret in _secrets()])



def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """Raises ``InvalidToken`` when no current or fallback key decrypts the text, or it was altered."""
    return fernet().decrypt(token.encode()).decode()
