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


def ensure_wagtail_baseline():
    """Recreate what Wagtail's migrations insert (locale, page tree root, collection root, default site).

    ``transactional_db`` empties every table after each test, so later tests (and any run with ``--reuse-db``)
    start without the rows the migrations made; every business row needs a site (the default one by default).
    """
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    if Site.objects.filter(is_default_site=True).exists():
        return
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root",
                                           content_type=ContentType.objects.get_for_model(Page)))
    home = root.get_children().first() or root.add_child(
        instance=Page(title="Welcome to your new Wagtail site!", slug="home"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
