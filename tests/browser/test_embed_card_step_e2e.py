"""The embedded (iframe) booking form reaches the card-saving step, in headless Chromium at 390 and 1280 px.

The demo's "Free consultation" gets a policy with a US$25 no-show fee. A client books it in the host page's frame
with the card-on-file box ticked; the frame shows "You're booked" and **Add your card**, which opens the card step
in a new tab (Stripe.js and 3-D Secure need a top-level window). Screenshots: test-artifacts/embed-card-step-*.png.
"""

import re

import pytest

from .axe import assert_accessible
from .support import BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, field, in_thread, offered_times, screenshot

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def consultation_with_a_fee():
    from decimal import Decimal

    from wagtail_booking.checkout.models import CancellationPolicy
    from wagtail_booking.snippets.models import Service

    service = Service.objects.get(name="Free consultation")
    policy, _ = CancellationPolicy.objects.get_or_create(name="Fees", site_id=service.site_id, defaults={
        "no_show_fee_kind": "fixed", "no_show_fee_value": Decimal("25")})
    service.cancellation_policy = policy
    service.save()
    return service.pk


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_framed_confirmation_offers_the_card_step(browser, demo_site, stripe, size, name):
    service_id = in_thread(consultation_with_a_fee)
    context = browser.new_context(**size, timezone_id="Europe/London", locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{demo_site}/booking/embed/{service_id}/")
    offered_times(page)[0][0].check()
    field(page, "textbox", "Your name").fill("Robin Frame")
    field(page, "textbox", "Email").fill(f"robin.{name}@example.com")
    field(page, "textbox", "What would you like to discuss?").fill("Sleep")
    field(page, "checkbox", "I agree to the privacy policy").check()
    page.get_by_role("checkbox", name=re.compile(r"keeps my card on file .* no-show fee of US\$25\.00")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Book now").click()

    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    add_card = page.get_by_role("link", name=re.compile(r"^Add your card"))
    expect(add_card).to_have_attribute("target", "_blank")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, f"embed-card-step-{name}.png")
    with context.expect_page() as opened:
        add_card.click()
    card_page = opened.value
    expect(card_page.get_by_role("heading", name="Keep a card on file")).to_be_visible()
    expect(card_page.get_by_text("no-show fee of US$25.00")).to_be_visible()
    context.close()
