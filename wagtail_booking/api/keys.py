"""Issuing, checking and revoking API keys.

A key reads ``wbk_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the whole key is compared in
constant time. The key holds 256 random bits, so a plain hash is enough (no slow password hash is needed to stop
guessing), and a database leak gives away no usable key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import ApiKey

KEY_PREFIX = "wbk_"
KEY_PATTERN = re.compile(r"wbk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
# last_used_at is written at most this often per key: a busy integrator costs no write per request.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(site, name: str, scopes, created_by=None) -> tuple[ApiKey, str]:
    """Store a new key for ``site`` and return it with the full key, which is never available again."""
    prefix = secrets.token_hex(6)
    full_key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(site=site, name=name, prefix=prefix, key_hash=_digest(full_key),
                                    scopes=sorted(set(scopes)), created_by=created_by)
    return api_key, full_key


def find_key(raw: str) -> ApiKey | None:
    """The active key ``raw`` is, or None (unknown, malformed or revoked)."""
    match = KEY_PATTERN.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        return None
    api_key = ApiKey.objects.select_related("site").filter(prefix=match.group(1)).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _digest(raw.strip())):
        return None
    return api_key if api_key.is_active else None


def touch(api_key: ApiKey, now=None) -> None:
    """Record that the key was used, at most once per ``TOUCH_EVERY`` (one conditional UPDATE, no lock)."""
    now = now or timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < TOUCH_EVERY:
        return
    ApiKey.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY),
                          pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now


def revoke(api_key: ApiKey, now=None) -> ApiKey:
    """Revoke the key for good; requests with it are refused from now on. Revoking twice keeps the first time."""
    with transaction.atomic():
        api_key.refresh_from_db(from_queryset=ApiKey.objects.select_for_update())
        if api_key.revoked_at is None:
            api_key.revoked_at = now or timezone.now()
            api_key.save(update_fields=["revoked_at"])
    return api_key
