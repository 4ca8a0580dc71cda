"""Fixtures for the browser tests: the sandbox's demo site on pytest-django's live server, Chromium, the loopback
Stripe fake, and a phone-sized page that pays through it."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from fakes.stripe_server import FakeStripe

from tests.helpers import ensure_wagtail_baseline

from .support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, phone_page, sync_api

WEBHOOK_SECRET = "whsec_browser_test"


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


@pytest.fixture(scope="module")
def stripe_server(live_server):
    """One fake Stripe for the module, delivering its webhooks to the live server, and the settings for it."""
    fake = FakeStripe(webhook_url=f"{live_server.url}/booking/stripe/webhook/", webhook_secret=WEBHOOK_SECRET)
    fake.start()
    stripe_settings = override_settings(
        STRIPE_SECRET_KEY="sk_test_browser", STRIPE_PUBLISHABLE_KEY=fake.publishable_key,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=fake.url, STRIPE_JS_URL=f"{fake.url}/v3/")
    stripe_settings.enable()
    yield fake
    stripe_settings.disable()
    fake.stop()


@pytest.fixture
def stripe(stripe_server, demo_site):
    """The fake, emptied for this test; the test's webhooks are all delivered before its data is flushed."""
    stripe_server.reset()
    yield stripe_server
    stripe_server.wait_for_deliveries(timeout=15)


@pytest.fixture
def paying_phone(browser, demo_site, stripe):
    """A phone-sized page in London (en-GB) that pays through the fake Stripe: (page, problems), ``problems``
    collecting console errors and failed requests for the test to assert empty at its end."""
    return phone_page(browser, demo_site, stripe)
