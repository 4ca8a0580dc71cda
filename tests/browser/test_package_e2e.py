"""Buy a three-pack with a test card, then book a massage with a credit, in headless Chromium on a phone.

The sandbox's demo data on the live server, with the loopback Stripe fake (its API, its Stripe.js, its webhooks).
The client opens the package's page, gives their email, pays $240.00 on the purchase's payment page, lands on the
page listing their three credits, and gets the code by email. They then pick a time for "Massage therapy" in the
/services/ block: instead of the deposit they are asked whether to book with a credit, type the code, and end on
"You're booked", which says two credits are left.
"""

import re
from decimal import Decimal

import pytest
from django.core import mail

from .axe import assert_accessible
from .support import BROWSER_MARKS, assert_no_horizontal_scroll, field, in_thread, screenshot
from .test_paid_booking_e2e import SERVICE, USD, also_at_desktop_width, enter_card, hold_a_massage

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect
EMAIL = "pia.package@example.com"


@pytest.fixture
def three_pack(demo_site):
    from wagtail_booking.packages.models import Package
    from wagtail_booking.snippets.models import Service

    package = Package.objects.create(name="Three massages", sessions=3, price=Decimal("240.00"), validity_months=6)
    package.services.add(Service.objects.get(name=SERVICE))
    return package.pk


def emailed_code():
    body = next(m.body for m in reversed(mail.outbox) if m.to == [EMAIL] and "Three massages" in m.subject)
    return re.search(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", body).group(0)


def credits_left():
    from wagtail_booking.packages.credits import balance_of
    from wagtail_booking.packages.models import CreditPurchase

    purchase = CreditPurchase.objects.get(client_email=EMAIL)
    return balance_of(purchase), purchase.entries.filter(kind="used").count()


def test_buy_a_three_pack_then_book_with_a_credit_on_a_phone(three_pack, paying_phone, demo_site):
    page, problems = paying_phone
    page.goto(f"{demo_site}/services/")  # the massage's booking block lists the packages that cover it
    page.wait_for_url(re.compile(r"[?&]booking_tz="))
    offer = page.get_by_role("region", name=SERVICE).get_by_role(
        "link", name=re.compile(rf"^Three massages: 3 sessions for {USD}240\.00$"))
    with page.expect_navigation(url=re.compile(rf"/booking/packages/{three_pack}/$")):
        offer.click()
    expect(page.get_by_role("heading", level=1, name="Three massages")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "package-page-phone.png")
    also_at_desktop_width(page, "package-page-desktop.png")
    field(page, "textbox", "Your email address").fill(EMAIL)
    with page.expect_navigation(url=re.compile(r"/shop/checkout/payment-details/$")):
        page.get_by_role("button", name=re.compile(rf"^Buy for {USD}240\.00$")).click()

    expect(page.get_by_role("heading", level=1, name="Pay for your purchase")).to_be_visible()
    expect(page.locator(".wb-payment dl.wb-summary")).to_contain_text("Three massages")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "package-pay-phone.png")
    enter_card(page, "4242 4242 4242 4242")
    with page.expect_navigation(url=re.compile(r"/booking/packages/bought/")):
        page.get_by_role("button", name=re.compile(rf"^Pay {USD}240\.00$")).click()
    expect(page.get_by_role("heading", level=1, name="Thank you for your purchase")).to_be_visible()
    expect(page.locator("dl.wb-summary")).to_contain_text("Credits left")
    assert_accessible(page)
    screenshot(page, "package-bought-phone.png")
    assert in_thread(credits_left) == (3, 0)

    hold_a_massage(page, demo_site, "Pia Package", EMAIL)
    page.wait_for_url(re.compile(r"/booking/credit/"))
    expect(page.get_by_role("heading", level=1, name="Book with a credit")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "package-use-credit-phone.png")
    also_at_desktop_width(page, "package-use-credit-desktop.png")
    field(page, "textbox", "Credit code").fill(in_thread(emailed_code))
    with page.expect_navigation(url=re.compile(r"/booking/booked/")):
        page.get_by_role("button", name="Book with one credit").click()
    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    expect(page.get_by_text("Paid with a credit from Three massages: 2 credits left.")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "package-booked-phone.png")
    also_at_desktop_width(page, "package-booked-desktop.png")
    assert in_thread(credits_left) == (2, 1)
    assert problems == [], "\n".join(problems)
    page.context.close()
