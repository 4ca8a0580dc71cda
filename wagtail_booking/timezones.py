"""IANA zone names, read once (``zoneinfo.available_timezones`` walks the zone files on every call)."""

import zoneinfo
from functools import lru_cache


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_known_zone(name) -> bool:
    return isinstance(name, str) and name in known_zones()
