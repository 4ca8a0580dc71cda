"""The booking block with "let the client choose the currency", in headless Chromium at 1280 and 390 px: the
client picks CAD from the currency list (each currency with its price) and books in CAD.

Screenshots go to test-artifacts/ (currency-choice-desktop.png, currency-choice-phone.png).
"""

import json
from decimal import Decimal

import pytest

from .axe import assert_accessible
from .support import BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, field, in_thread, offered_times, screenshot

pytestmark = BROWSER_MARKS
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def offer_cad():
    """The demo's home block lets the client choose the currency; the consultation costs US$40.00 or CA$55.00 (a
    free one would offer no choice: nothing to pay in either currency)."""
    from wagtail.models import Site

    from wagtail_booking.snippets.models import Service
    from wagtail_booking.snippets.prices import ServicePrice

    home = Site.objects.get(is_default_site=True).root_page.specific
    body = json.loads(json.dumps(home.body.get_prep_value()))
    for block in body:
        if block["type"] == "booking":
            block["value"]["currency_choice"] = True
            service = Service.objects.get(pk=block["value"]["service"])
    home.body = json.dumps(body)
    home.save()
    Service.objects.filter(pk=service.pk).update(price=Decimal("40.00"))
    ServicePrice.objects.create(service=service, currency="CAD", price=Decimal("55.00"))
    return service.name


def booking_currency(email):
    from wagtail_booking.bookings.models import Booking

    return Booking.objects.get(client_email=email).currency


@pytest.mark.parametrize(("size", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_client_chooses_cad(browser, demo_site, size, name):
    in_thread(offer_cad)
    context = browser.new_context(**size, timezone_id="America/Toronto", locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(demo_site + "/")
    currency = field(page, "combobox", "Currency")
    expect(currency).to_be_visible()
    expect(currency.locator("option")).to_have_text(["USD: price US$40.00", "CAD: price CA$55.00"])
    expect(page.locator("legend, h2, h3", has_text="Currency")).to_have_count(0)  # the label alone names it
    times = offered_times(page)
    times[0][0].check()
    currency.select_option("CAD")
    field(page, "textbox", "Your name").fill("Casey Canada")
    email = f"casey.{name}@example.com"
    field(page, "textbox", "Email").fill(email)
    field(page, "textbox", "What would you like to discuss?").fill("Currency test")
    field(page, "checkbox", "I agree to the privacy policy").check()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    currency.scroll_into_view_if_needed()
    screenshot(page, f"currency-choice-{name}.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Book now").click()
    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    assert in_thread(booking_currency, email) == "CAD"
    context.close()
