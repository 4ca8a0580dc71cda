"""Tax added on top, in headless Chromium at 390 and 1280 px: the booking block and the payment page show what the
client pays (the deposit with its tax) and the balance on the same basis.

The demo's "Massage therapy" (US$90.00, 20 % deposit) gets a 10 % tax added on top: the block says US$99.00 and a
deposit of US$19.80; the payment page charges US$19.80 and shows US$79.20 due at the appointment.
Screenshots: test-artifacts/tax-on-top-{block,payment}-{phone,desktop}.png.
"""

import re

import pytest

from .axe import assert_accessible
from .support import BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, field, in_thread, offered_times, screenshot
from .test_paid_booking_e2e import SERVICE, USD

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def tax_on_top():
    from decimal import Decimal

    from wagtail.models import Site

    from wagtail_booking.site_settings import BusinessSettings
    from wagtail_booking.snippets.models import Service
    from wagtail_booking.snippets.prices import TaxRate

    site = Site.objects.get(is_default_site=True)
    BusinessSettings.objects.update_or_create(site=site, defaults={"prices_include_tax": False})
    rate = TaxRate.objects.create(site=site, name="Sales tax", percent=Decimal("10"))
    Service.objects.filter(name=SERVICE).update(tax_rate=rate)


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_block_and_payment_page_show_what_the_client_pays(browser, demo_site, stripe, size, name):
    in_thread(tax_on_top)
    context = browser.new_context(**size, timezone_id="Europe/London", locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(demo_site + "/services/")
    page.wait_for_url(re.compile(r"[?&]booking_tz=Europe%2FLondon"))
    block = page.get_by_role("region", name=SERVICE)
    price = re.compile(rf"Price {USD}99\.00\. To hold your time you pay a deposit of {USD}19\.80 now")
    expect(block.get_by_text(price)).to_be_visible()
    offered_times(page, within=block)[0][0].check()
    field(block, "textbox", "Your name").fill("Tess Tax")
    field(block, "textbox", "Email").fill(f"tess.{name}@example.com")
    block.get_by_text(price).scroll_into_view_if_needed()
    screenshot(page, f"tax-on-top-block-{name}.png")
    with page.expect_navigation():
        field(block, "button", "Continue to payment").click()
    if "/checkout/" not in page.url and "/pay/" not in page.url:
        page.wait_for_url(re.compile(r"/(checkout|pay)/"))
    summary = page.locator("dl.wb-summary").last
    expect(summary).to_contain_text(re.compile(rf"Deposit\s*{USD}19\.80"))
    expect(summary).to_contain_text(re.compile(rf"Balance due at the appointment\s*{USD}79\.20"))
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, f"tax-on-top-payment-{name}.png")
    context.close()
