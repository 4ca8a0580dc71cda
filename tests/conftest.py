import pytest
from django.conf import settings
from django.core.cache import cache
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from tests.factories.booking import IntakeFormFactory, ProviderFactory, ServiceFactory
from tests.helpers import next_monday

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
