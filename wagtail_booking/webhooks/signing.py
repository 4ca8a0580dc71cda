"""Signatures on deliveries, as Stripe makes them: ``Booking-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``.

The HMAC is taken with the endpoint's secret over ``f"{t}.{raw body}"``. The timestamp is signed too, so a
captured request cannot be replayed later than the receiver's tolerance. Receivers may copy
:func:`verify_signature` (standard library only); docs/howto/webhooks.md has the same recipe.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Booking-Signature"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def compute_signature(payload: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={compute_signature(payload, secret, timestamp)}"


def verify_signature(payload: bytes | str, header: str, secret: str, tolerance: int = 300,
                     now: float | None = None) -> bool:
    """True when ``header`` signs ``payload`` (the raw request body) with ``secret``, made within ``tolerance``
    seconds of ``now``. Several ``v1=`` values are accepted (one matching is enough)."""
    if isinstance(payload, str):
        payload = payload.encode()
    timestamp, candidates = None, []
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = compute_signature(payload, secret, timestamp)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
