"""Gift cards in headless Chromium: the buy page on a phone and a desktop, and a deposit paid by a gift card
alone (applied on the payment page, no card asked), on the sandbox's demo data with the Stripe fake."""

import re
from decimal import Decimal

import pytest

from .axe import assert_accessible
from .support import ARTIFACTS, BROWSER_MARKS, assert_no_horizontal_scroll, field, in_thread, screenshot
from .test_paid_booking_e2e import also_at_desktop_width, held_booking, hold_a_massage

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect


def issue_card(value):
    from wagtail_booking.businesses import default_site_id
    from wagtail_booking.giftcards import codes, ledger

    card, code = ledger.issue(default_site_id(), "USD", Decimal(value))
    return card.pk, codes.grouped(code)


def balance_of(card_id):
    from wagtail_booking.giftcards.models import GiftCard

    return GiftCard.objects.get(pk=card_id).balance


def test_the_buy_page_and_a_deposit_paid_by_a_gift_card(paying_phone, demo_site):
    page, problems = paying_phone
    page.goto(demo_site + "/booking/gift-cards/buy/")
    expect(page.get_by_role("heading", level=1, name="Buy a gift card")).to_be_visible()
    field(page, "spinbutton", re.compile("Amount")).fill("5")
    field(page, "button", "Go to payment").click()
    expect(page.get_by_text(re.compile(r"Choose an amount between"))).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "giftcard-buy-phone.png")
    also_at_desktop_width(page, "giftcard-buy-desktop.png")

    card_id, code = in_thread(issue_card, "25.00")
    hold_a_massage(page, demo_site, "Gift Holder", "gift.holder@example.com")
    reference, _provider = held_booking("gift.holder@example.com")
    field(page, "textbox", "Gift card code").fill(code.lower())
    with page.expect_navigation():
        field(page, "button", "Apply gift card").click()
    expect(page.get_by_text(re.compile(r"Gift card ····\w{4} pays (US)?\$18\.00\."))).to_be_visible()
    confirm = field(page, "button", "Confirm and pay with the gift card")
    expect(confirm).to_be_visible()
    assert page.get_by_role("textbox", name="Card number").count() == 0  # no card asked
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "giftcard-payment-phone.png")
    also_at_desktop_width(page, "giftcard-payment-desktop.png")
    with page.expect_navigation(url=re.compile(r"/booking/booked/")):
        confirm.click()
    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    screenshot(page, "giftcard-booked-phone.png")
    assert in_thread(balance_of, card_id) == Decimal("7.00")
    assert problems == [], "\n".join(problems)
    page.context.close()
    assert (ARTIFACTS / "giftcard-payment-phone.png").exists()
