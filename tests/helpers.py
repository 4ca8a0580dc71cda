"""Dates and times used across tests. "Now" is pinned by the ``_pinned_clock`` fixture (tests/conftest.py)."""

import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")


def next_monday(weeks_ahead=2) -> date:
    today = datetime.now(NY).date()
    return today + timedelta(days=(7 - today.weekday()) % 7 + 7 * weeks_ahead)


def ny(day, hour, minute=0):
    return datetime.combine(day, clock_time(hour, minute), tzinfo=NY)


def wait_until(condition, timeout=20.0, interval=0.02, message="condition"):
    """Poll ``condition()`` until it returns something true, and return it; fail after ``timeout`` seconds.

    The timeout is a bound for a hung test, not a measurement: nothing is asserted about how long it took.
    ``time.monotonic`` is not moved by time-machine, so this works under the pinned clock.
    """
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)
    return result
