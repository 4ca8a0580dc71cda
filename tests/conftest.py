import pytest
from django.core.cache import cache

from tests.factories.booking import IntakeFormFactory, ProviderFactory, ServiceFactory
from tests.helpers import next_monday


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
