"""Encryption at rest for calendar credentials (OAuth token caches, CalDAV passwords, feed URLs), and hashing of
push-watch secrets.

Fernet keys are derived with HKDF-SHA256 from a secret: ``WAGTAIL_BOOKING["ENCRYPTION_KEY"]`` when it is set,
otherwise Django's ``SECRET_KEY``. New text is encrypted with that key; stored text also decrypts with the keys
derived from ``WAGTAIL_BOOKING["ENCRYPTION_KEY_FALLBACKS"]`` and, while the key comes from ``SECRET_KEY``, from
``SECRET_KEY_FALLBACKS``. To rotate: make the new secret current, list the old one as a fallback, run
``manage.py booking_rotate_keys`` (see :func:`reencrypt_stored_secrets`), then remove the fallback. Text no key
decrypts makes its connection show "reconnect needed", and the owner connects again.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken, MultiFernet
from django.db import transaction

from ..encryption import decrypt, encrypt
from ..encryption import fernet as _fernet
from .models import CalendarConnection

__all__ = ["InvalidToken", "decrypt", "encrypt", "hash_token", "reencrypt_stored_secrets", "tokens_match"]

# Every column that holds text from ``encrypt``.
ENCRYPTED_FIELDS = ("credentials", "oauth_verifier")


@dataclass
class RotationResult:
    reencrypted: int = 0
    unreadable: list[str] = field(default_factory=list)  # "provider 3: credentials (google a@b.c)", for the operator


def reencrypt_stored_secrets() -> RotationResult:
    """Re-encrypt every stored secret under the current key, each row under its lock (a token refresh may write
    the same row). Text that no key decrypts is left as it is and listed in the result."""
    fernet, result = _fernet(), RotationResult()
    for pk in CalendarConnection.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            connection = CalendarConnection.objects.select_for_update().filter(pk=pk).first()
            changed = [name for name in ENCRYPTED_FIELDS if connection and getattr(connection, name)
                       and _rotate_field(fernet, connection, name, result)]
            if changed:
                connection.save(update_fields=changed)
                result.reencrypted += len(changed)
    return result


def _rotate_field(fernet: MultiFernet, connection: CalendarConnection, name: str, result: RotationResult) -> bool:
    try:
        setattr(connection, name, fernet.rotate(getattr(connection, name).encode()).decode())
        return True
    except InvalidToken:
        result.unreadable.append(f"provider {connection.provider_id}: {name} ({connection.kind} {connection.account})")
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, stored_hash: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(hash_token(token), stored_hash)
