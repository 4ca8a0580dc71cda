from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories.booking import IntakeFormFactory, ProviderFactory, ServiceFactory

NY = ZoneInfo("America/New_York")


def next_monday(weeks_ahead=2) -> date:
    today = datetime.now(NY).date()
    return today + timedelta(days=(7 - today.weekday()) % 7 + 7 * weeks_ahead)


def ny(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=NY)


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
