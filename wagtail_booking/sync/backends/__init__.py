"""Calendar backends by kind. ``WAGTAIL_BOOKING["CALENDAR_BACKENDS"]`` maps a kind to
``{"BACKEND": "dotted.path", "OPTIONS": {...}}``; the kinds listed there are the ones the owner can connect.
The contract is in :mod:`.base`.

Loading is tolerant: a listed backend whose module (or SDK) cannot be imported is left out of the admin and
reported by the system check ``wagtail_booking.W014``, so a site without ``msal`` or ``caldav`` still starts.
"""

from __future__ import annotations

import logging
from functools import cache

from django.utils.module_loading import import_string

from ...conf import booking_settings
from .base import CalendarBackend

logger = logging.getLogger(__name__)


def configured() -> dict[str, dict]:
    return dict(booking_settings.CALENDAR_BACKENDS or {})


@cache
def _import(path: str) -> type[CalendarBackend] | str:
    """The class, or the sentence saying why it cannot be loaded (cached: imports are expensive)."""
    try:
        return import_string(path)
    except ImportError as error:
        return f"{path} cannot be imported ({error})"


def backend_class(kind: str) -> type[CalendarBackend] | None:
    """The backend class of ``kind``, or ``None`` when the kind is not listed or cannot be loaded."""
    entry = configured().get(kind)
    found = _import(entry["BACKEND"]) if entry else None
    return found if isinstance(found, type) else None


def available_kinds() -> list[type[CalendarBackend]]:
    """The loadable backend classes, in the order of the setting."""
    return [cls for kind in configured() if (cls := backend_class(kind)) is not None]


def load_problems() -> dict[str, str]:
    """kind -> why its backend cannot be loaded, for the system check."""
    problems = {}
    for kind, entry in configured().items():
        found = _import(entry.get("BACKEND", "")) if isinstance(entry, dict) and entry.get("BACKEND") else (
            f"the entry for {kind!r} has no BACKEND")
        if not isinstance(found, type):
            problems[kind] = found
    return problems


def get_backend(kind: str, credentials: str = "") -> CalendarBackend:
    """A fresh backend instance for one task. ``LookupError`` when the kind is not configured or not loadable."""
    cls = backend_class(kind)
    if cls is None:
        raise LookupError(f"No calendar backend is available for {kind!r}")
    return cls(credentials, configured()[kind].get("OPTIONS") or {})


def label_of(kind: str) -> str:
    cls = backend_class(kind)
    return str(cls.label) if cls else kind
