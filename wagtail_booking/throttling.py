"""Per-address rate limits for the public API, read lazily from ``WAGTAIL_BOOKING["RATE_LIMITS"]``."""

import logging
import math
import time

from django.core.cache import caches
from ninja.throttling import BaseThrottle

from .conf import booking_settings

WINDOW_SECONDS = 60
logger = logging.getLogger(__name__)


class AddressThrottle(BaseThrottle):
    """A fixed one-minute window per client address and endpoint group, counted in the configured cache."""

    def __init__(self, group: str):
        self.group = group
        self._wait = None

    def allow_request(self, request) -> bool:
        limit = booking_settings.rate_limits.get(self.group)
        if not limit:
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"wagtail_booking:rl:{self.group}:{self.get_ident(request)}:{window}"
        try:
            count = self._count(key)
        except Exception:
            # A rate limit must not take the site down with its cache: let the request through, and say so.
            logger.warning("Rate-limit cache %r is unavailable; %s requests are not limited until it is back",
                           booking_settings.RATE_LIMIT_CACHE, self.group, exc_info=True)
            return True
        if count <= limit:
            return True
        self._wait = math.ceil((window + 1) * WINDOW_SECONDS - now)
        return False

    @staticmethod
    def _count(key) -> int:
        cache = caches[booking_settings.RATE_LIMIT_CACHE]
        cache.add(key, 0, WINDOW_SECONDS + 1)
        try:
            return cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, WINDOW_SECONDS + 1)
            return 1

    def get_ident(self, request) -> str:
        """The client's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For."""
        proxies = booking_settings.PROXY_COUNT
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if proxies and forwarded:
            return forwarded[-min(proxies, len(forwarded))]
        return request.META.get("REMOTE_ADDR", "")

    def wait(self):
        return self._wait


def rate_limited(group: str):
    """Apply the same per-address limit to a plain Django view (the booking block's form posts)."""
    from functools import wraps

    from django.http import HttpResponse

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            throttle = AddressThrottle(group)
            if request.method == "POST" and not throttle.allow_request(request):
                response = HttpResponse("Too many requests; please wait a minute and try again.", status=429,
                                        content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(throttle.wait() or 60)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
