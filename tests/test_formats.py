"""Money and moments are written one way, in the active language and a named zone."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from wagtail_booking import formats
from wagtail_booking.site_settings import business_zone, site_settings


def test_money_follows_the_language_like_oscars_filter():
    with translation.override("en-us"):
        assert formats.money(Decimal("18"), "USD") == "$18.00"
        assert formats.money(Decimal("1234.5"), "CAD") == "CA$1,234.50"
    with translation.override("es"):
        assert formats.money(Decimal("18"), "USD") == "18,00\xa0US$"
    with translation.override("fr"):
        assert formats.money(Decimal("18"), "EUR") == "18,00\xa0€"
    assert formats.money(Decimal("500"), "JPY", language="en-us") == "¥500"


def test_no_amount_is_no_text_not_none():
    assert formats.money(None, "USD") == ""
    assert formats.when(None, "Europe/London") == ""
    assert formats.iso_local(None, "Europe/London") == ""


def test_a_moment_is_shown_on_its_zones_wall_clock_with_the_zone_named():
    moment = datetime(2027, 3, 9, 19, 0, 0, 123456, tzinfo=UTC)
    with translation.override("en-us"):
        assert formats.when(moment, "America/New_York") == "Tue 9 Mar 2027, 14:00 (America/New_York)"
    assert formats.iso_local(moment, "America/New_York") == "2027-03-09T14:00:00-05:00"
    # The day after the spring change the offset moves with the wall clock.
    assert formats.iso_local(datetime(2027, 3, 15, 18, 0, tzinfo=UTC), "America/New_York") == \
        "2027-03-15T14:00:00-04:00"


def test_an_appointment_names_its_zone_once_at_the_end():
    start = datetime(2027, 3, 10, 18, 30, tzinfo=UTC)
    with translation.override("en-us"):
        assert formats.span(start, datetime(2027, 3, 10, 19, 30, tzinfo=UTC), "America/New_York") == \
            "Wed 10 Mar 2027, 13:30–14:30 (America/New_York)"
        assert formats.span(start, datetime(2027, 3, 11, 5, 30, tzinfo=UTC), "America/New_York") == \
            "Wed 10 Mar 2027, 13:30–Thu 11 Mar 2027, 00:30 (America/New_York)"


def test_template_filters_write_the_same_text():
    rendered = Template("{% load wagtail_booking_formats %}{{ a|money:'USD' }} / {{ m|when:'Europe/London' }}").render(
        Context({"a": Decimal("9"), "m": datetime(2027, 7, 1, 12, 30, tzinfo=UTC)}))
    assert rendered.endswith("1 Jul 2027, 13:30 (Europe/London)")
    assert "9.00" in rendered


@pytest.mark.django_db
def test_a_business_runs_its_day_in_its_own_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    assert business_zone() == "America/New_York"
    details = site_settings()
    details.time_zone = "Europe/Madrid"
    details.save()
    assert business_zone() == "Europe/Madrid"


def test_currency_fields_offer_only_current_codes():
    """ISO 4217 still lists French francs, Croatian kuna, funds and gold: no price can be in those."""
    codes = {code for code, _name in formats.currency_choices()}
    assert {"USD", "CAD", "EUR", "GBP", "JPY", "KWD", "MXN"} <= codes
    assert not {"FRF", "DEM", "HRK", "CHE", "CLF", "XAU", "XDR"} & codes
