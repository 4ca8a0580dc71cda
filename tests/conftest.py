import os
from datetime import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from tests.factories.booking import IntakeFormFactory, ProviderFactory, ServiceFactory
from tests.helpers import ensure_wagtail_baseline, next_monday


def pytest_configure(config):
    """The translations' .mo files are build output (scripts/compile_messages.py): compile any that are missing or
    older than their .po, so a plain ``pytest`` checks the client pages in Spanish and French as they are now."""
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "compile_messages.py"
    runpy.run_path(str(script))["compile_catalogues"]()


# Every test runs with the clock at this instant (a Wednesday, four days before New York springs forward, so
# "two weeks ahead" crosses a DST change). WAGTAIL_BOOKING_TEST_NOW moves it, e.g. to 2027-07-14T10:00:00+00:00.
TEST_NOW = datetime.fromisoformat(os.environ.get("WAGTAIL_BOOKING_TEST_NOW") or "2027-03-10T15:00:00+00:00")
if TEST_NOW.tzinfo is None:
    raise RuntimeError("WAGTAIL_BOOKING_TEST_NOW needs a UTC offset, e.g. 2027-07-14T10:00:00+00:00")


@pytest.fixture(autouse=True)
def _pinned_clock(request, time_machine):
    """Pin the clock (ticking from ``TEST_NOW``) so no test depends on the day it runs.

    A test about one particular date says so with ``@pytest.mark.time_machine(<aware datetime>)`` or calls
    ``time_machine.move_to(...)``. The clock is this process's: live servers and fakes in threads share it,
    subprocesses (Huey consumers, the browser) do not, so tests hand them the pinned time when it matters.
    """
    if request.node.get_closest_marker("time_machine") is None:
        time_machine.move_to(TEST_NOW, tick=True)
    return time_machine


# --- Which database: tests marked postgres_only skip on SQLite (docs/testing.md) ---

def pytest_collection_modifyitems(config, items):
    """Skip ``@pytest.mark.postgres_only("why")`` tests on SQLite, giving the why (shown by ``-rs``)."""
    from django.db import connection

    for item in items:
        marker = item.get_closest_marker("postgres_only")
        if marker is None:
            continue
        if not marker.args:
            raise pytest.UsageError(f"{item.nodeid}: say why it needs PostgreSQL: @pytest.mark.postgres_only(\"...\")")
        if connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {marker.args[0]}"))


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _default_business(request):
    """Every test with a database has the default site (the default business every row belongs to)."""
    if request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("_django_db_helper")
        ensure_wagtail_baseline()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def monday():
    return next_monday()


@pytest.fixture
def provider(db):
    return ProviderFactory(name="Maya")


@pytest.fixture
def service(provider):
    return ServiceFactory(name="Consultation", providers=[provider])


@pytest.fixture
def intake_form(db):
    return IntakeFormFactory(questions=[
        ("What brings you here?", "multiline", True, ""),
        ("Preferred contact", "radio", True, "Email\nPhone"),
        ("Mobile", "phone", False, ""),
        ("Topics", "checkboxes", False, "Back\nNeck\nSleep"),
    ])


@pytest.fixture
def site_root(db):
    """The Wagtail tree's root and default site (transactional tests flush what migrations created)."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.get_children().first() or root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "testserver",
                                                                  "port": 80})
    return root
