"""Gift card codes: long, random, easy to read aloud and type, and never stored in the clear.

A code is 16 characters from a 32-letter alphabet without 0/O and 1/I (80 random bits), shown in four groups:
``K7QM-4XHT-9CPA-WR2D``. The database keeps only an HMAC of the normalised code (keyed by ``settings.SECRET_KEY``
through Django's ``salted_hmac``) and its last four characters for display, like a token.
"""

import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 16
GROUP = 4
SALT = "wagtail_booking.giftcards.code"


def generate() -> str:
    """A new random code, normalised (no separators)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str | None:
    """The code a person typed, upper-cased without spaces or dashes; None when it cannot be a code."""
    code = "".join((typed or "").split()).replace("-", "").upper()
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def grouped(code: str) -> str:
    """``K7QM-4XHT-9CPA-WR2D``: how the code is printed."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def digest(code: str) -> str:
    """What the database keeps for a normalised code."""
    return salted_hmac(SALT, code, algorithm="sha256").hexdigest()


def last4(code: str) -> str:
    return code[-GROUP:]


def masked(last_four: str) -> str:
    """``····WR2D``: the only way a stored card's code is shown."""
    return f"····{last_four}"
