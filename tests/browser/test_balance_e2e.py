"""Pay a balance link after the visit with a tip, in headless Chromium on a phone, against the Stripe fake.

A client of the demo's "Massage therapy" ($90) had their appointment an hour ago (staff added "Aromatherapy oil",
$8.00); the link staff send opens the balance page at 390 px: the service, the time in the client's zone, the bill
and the tips. A tip of -5 is a form error; 15% ($14.70 on $98.00) goes to "Pay your balance", the test card pays
$112.70, and the page says "Paid in full". The database then holds one captured balance payment, its order and the
provider's tip; the fake Stripe holds a succeeded PaymentIntent for 11270 cents.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from .axe import assert_accessible
from .support import BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, field, in_thread, screenshot
from .test_paid_booking_e2e import enter_card

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect
USD = r"(?:US)?\$"
ZONE = "America/Chicago"


def visited_booking():
    """A confirmed $90 massage that ended an hour ago, with an add-on; returns (reference, balance link path)."""
    from django.utils import timezone

    from tests.factories.booking import BookingFactory
    from wagtail_booking.checkout.balances import links, services
    from wagtail_booking.snippets.models import Service

    service = Service.objects.get(name="Massage therapy")
    booking = BookingFactory(service=service, provider=service.providers.first(), price=Decimal("90.00"),
                             currency="USD", start=timezone.now() - timedelta(hours=2), client_timezone=ZONE,
                             client_email="robin.balance@example.com", manage_token_salt="b" * 32)
    services.add_add_on(booking, "Aromatherapy oil", Decimal("8.00"))
    return booking.reference, links.balance_path(booking)


def stored(reference):
    from wagtail_booking.checkout.balances.models import Tip
    from wagtail_booking.checkout.models import BookingPayment

    payment = BookingPayment.objects.select_related("order").get(booking__reference=reference, kind="balance")
    tip = Tip.objects.get(payment=payment)
    return {"state": payment.state, "captured": payment.amount_captured, "order": payment.order.total_incl_tax,
            "tip": tip.amount, "provider": tip.provider_id == payment.booking.provider_id,
            "intent": payment.payment_intent_id}


def test_pay_a_balance_link_with_a_tip_on_a_phone(browser, demo_site, stripe):
    reference, path = in_thread(visited_booking)
    context = browser.new_context(**PHONE, timezone_id=ZONE, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(demo_site + path)
    expect(page.get_by_role("heading", level=1, name="Pay your balance")).to_be_visible()
    summary = page.locator("dl.wb-summary")
    expect(summary).to_contain_text("Massage therapy")
    expect(summary).to_contain_text(f"({ZONE})")
    expect(summary).to_contain_text("Aromatherapy oil")
    expect(summary).to_contain_text(re.compile(rf"Balance due\s*{USD}98\.00"))
    expect(page.get_by_role("radio", name=re.compile(rf"^15% \({USD}14\.70\)$"))).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "balance-phone.png")

    page.get_by_role("radio", name="Another amount").check()
    field(page, "textbox", "Another amount").fill("-5")
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    expect(page.get_by_text("A tip cannot be negative.")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "balance-error-phone.png")

    page.get_by_role("radio", name=re.compile(r"^15% ")).check()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.wait_for_url(re.compile(r"/shop/checkout/payment-details/$"))
    expect(page.get_by_role("heading", level=1, name="Pay your balance")).to_be_visible()
    expect(page.get_by_text(f"Booking {reference}. Thank you for your visit.")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "balance-payment-phone.png")
    enter_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile(rf"^Pay {USD}112\.70$")).click()
    page.wait_for_url(re.compile(rf"/booking/balance/{reference}/"))
    expect(page.get_by_role("heading", level=1, name="Paid in full")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "balance-paid-phone.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "balance-paid-desktop.png")

    record = in_thread(stored, reference)
    assert record == {**record, "state": "captured", "captured": Decimal("112.70"), "order": Decimal("112.70"),
                      "tip": Decimal("14.70"), "provider": True}, record
    with stripe.lock:
        intent = dict(stripe.payment_intents[record["intent"]])
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 11270), intent
    context.close()
