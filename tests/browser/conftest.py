"""Fixtures for the browser tests: the sandbox's demo site on pytest-django's live server, and Chromium."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.helpers import ensure_wagtail_baseline

from .support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, sync_api


@pytest.fixture
def demo_site(transactional_db, live_server):
    """The sandbox's demo data, with the default Wagtail site answering on the live server's host and port.

    Wagtail picks the site for a request by hostname and port (``Site.find_for_request``, falling back to the
    default site); ``load_demo`` sets $SANDBOX_HOST:$SANDBOX_PORT (127.0.0.1:8000), so the site is moved to the
    live server's address, and it stays the default site.
    """
    from wagtail.models import Site

    ensure_wagtail_baseline()
    call_command("load_demo", stdout=StringIO())
    address = urlsplit(live_server.url)
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = address.hostname, address.port
    site.save()
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


@pytest.fixture
def browser(demo_site):
    """Debian's Chromium driven by Playwright (``playwright install`` cannot download browsers here).

    It starts after the database work: Django refuses ORM calls while Playwright's event loop runs (see
    ``support.in_thread`` for ORM checks during a test).
    """
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
