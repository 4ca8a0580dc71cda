"""The manage page in the browser: the refund said before and after cancelling, a move saying how the refund
changes, and the page once online changes closed; the policy lines on the booked page and the booking block.

The paid booking is made through the Django test client's checkout flow (tests/checkout/conftest.py ``Checkout``)
against the live server's database and the module's Stripe fake, then opened in Chromium at 1280 px and on a
390 px phone. The policy is made for the booking's distance from now (the server runs on the suite's pinned
clock): 50% back now, 100% for a time three days later, so the refund figures are fixed: 9.00 USD now,
18.00 USD after a move.
Screenshots go to test-artifacts/manage-*.png.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from .axe import assert_accessible
from .support import (
    ARTIFACTS,
    BROWSER_MARKS,
    PHONE,
    assert_no_horizontal_scroll,
    in_thread,
    screenshot,
    watch,
)

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

SERVICE = "Massage therapy"
ZONE = "America/New_York"  # the zone Checkout.hold gives the booking
PHONE_NUMBER, DESK = "+1 212 555 0100", "desk@example.com"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def make_paid_booking(stripe_url, cutoff_hours=1):
    """A confirmed, paid Massage therapy booking (deposit 18.00 USD) and a time three days later to move to."""
    import stripe as stripe_sdk
    from django.test import Client

    from tests.checkout.conftest import Checkout
    from wagtail_booking.bookings.availability import available_slots
    from wagtail_booking.bookings.models import Booking, Service
    from wagtail_booking.bookings.tokens import manage_token
    from wagtail_booking.checkout.models import CancellationPolicy, CancellationTier
    from wagtail_booking.site_settings import BusinessSettings

    service = Service.objects.get(name=SERVICE)
    now = timezone.now()
    slots = [slot for slot in available_slots(service, now, now + timedelta(days=14))
             if slot.start >= now + timedelta(hours=3)]
    start = slots[0].start
    later = next(slot for slot in slots if slot.start >= start + timedelta(days=3) and
                 slot.provider_id == slots[0].provider_id)
    hours_away = int((start - now).total_seconds() // 3600)
    policy = CancellationPolicy.objects.create(name="Browser test policy", site_id=service.site_id)
    CancellationTier.objects.create(policy=policy, hours_before=hours_away + 24, refund_percent=100)
    CancellationTier.objects.create(policy=policy, hours_before=1, refund_percent=50)
    service.cancellation_policy, service.cancellation_cutoff_hours = policy, cutoff_hours
    service.save()
    BusinessSettings.objects.update_or_create(site_id=service.site_id, defaults={
        "contact_phone": PHONE_NUMBER, "contact_email": DESK})

    client = stripe_sdk.StripeClient("sk_test_browser", base_addresses={"api": stripe_url}, max_network_retries=0)
    flow = Checkout(Client(), client, service)
    flow.hold(start)
    flow.open_payment_page()
    flow.pay()
    flow.come_back()
    booking = Booking.objects.get(reference=flow.hold_body["id"])
    assert booking.status == "confirmed", booking.status
    token = manage_token(booking)
    return {"reference": booking.reference, "manage": f"/booking/manage/{booking.reference}/{token}/",
            "booked": f"/booking/booked/{booking.reference}/{token}/", "later": later.start}


def refunded(reference):
    from wagtail_booking.checkout.models import BookingPayment

    payment = BookingPayment.objects.get(booking__reference=reference)
    return payment.amount_refunded, payment.booking.status


def open_pages(browser, site, stripe):
    pages = []
    for name, options in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(**options, timezone_id="Europe/London", locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        pages.append((name, page, watch(page, site, also=(stripe.url,))))
    return pages


def shot(page, name, size):
    if size == "phone":
        assert_no_horizontal_scroll(page)
    assert_accessible(page)  # every state of the manage page: question, result, closed
    screenshot(page, f"manage-{name}-{size}.png")


def test_cancel_and_move_say_the_refund_before_and_after(browser, demo_site, stripe):
    made = in_thread(make_paid_booking, stripe.url)
    pages = open_pages(browser, demo_site, stripe)
    quote = "Cancelling now refunds US$9.00 of your US$18.00 deposit to your Visa ending 4242."
    for size, page, _problems in pages:
        page.goto(demo_site + made["booked"])
        expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
        policy = page.locator("#wb-policy")
        expect(policy).to_contain_text(re.compile(rf"50% refund after that|\({re.escape(ZONE)}\)"))
        expect(policy).to_contain_text(f"({ZONE}).")  # "Online changes close ... at <when> (zone)."
        shot(page, "booked", size)

        page.goto(demo_site + "/services/")
        block = page.get_by_role("region", name=SERVICE)
        expect(block.locator("#wb-policy, .wb-policy").first).to_contain_text("hours before")
        block.screenshot(path=str(ARTIFACTS / f"manage-block-policy-{size}.png"))
        if size == "phone":
            assert_no_horizontal_scroll(page)

        page.goto(demo_site + made["manage"])
        expect(page.locator("#wb-refund-quote")).to_have_text(quote)
        shot(page, "normal", size)

        later_local = made["later"].astimezone(__import__("zoneinfo").ZoneInfo(ZONE))
        page.locator("#wb-new-slot").select_option(label=f"{later_local:%a} {later_local.day} "
                                                         f"{later_local:%b %Y, %H:%M}")
        page.get_by_role("button", name="Move my booking").click()
        move = page.locator("#wb-confirm-move")
        expect(move.get_by_role("heading")).to_have_text(re.compile(
            rf"^Move to .+, {later_local:%H:%M} \({re.escape(ZONE)}\)\?$"))
        expect(move).to_contain_text("After this move, cancelling would refund US$18.00 instead of US$9.00.")
        shot(page, "confirm-move", size)
        page.get_by_role("link", name="Keep the current time").click()
        expect(page.locator("#wb-refund-quote")).to_have_text(quote)  # nothing moved

        page.get_by_role("button", name="Cancel this booking").click()
        question = page.locator("#wb-confirm-cancel")
        expect(question.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
        expect(question.locator("#wb-refund-quote")).to_have_text(quote)
        shot(page, "confirm-cancel", size)
        if size == "phone":
            continue
        page.get_by_role("link", name="Keep my booking").click()
        expect(page.get_by_role("button", name="Cancel this booking")).to_be_visible()
    assert in_thread(refunded, made["reference"]) == (Decimal("0"), "confirmed")  # asking changed nothing

    _size, phone, _problems = pages[1]
    phone.get_by_role("button", name="Yes, cancel my booking").click()
    expect(phone.get_by_role("status").first).to_have_text("Your booking is cancelled. We have sent you an email.")
    result = "We are refunding US$9.00 to your Visa ending 4242. Expect it within 5–10 business days."
    expect(phone.locator("#wb-refund-result")).to_have_text(result)
    expect(phone.get_by_role("button", name="Cancel this booking")).to_have_count(0)
    shot(phone, "cancelled", "phone")
    _size, desktop, _problems = pages[0]
    desktop.reload()
    expect(desktop.locator("#wb-refund-result")).to_have_text(result)
    shot(desktop, "cancelled", "desktop")
    assert in_thread(refunded, made["reference"]) == (Decimal("9.00"), "cancelled")
    for _size, page, problems in pages:
        assert problems == [], "\n".join(problems)
        page.context.close()


def test_inside_the_cut_off_the_page_gives_the_phone_and_email_and_no_buttons(browser, demo_site, stripe):
    made = in_thread(make_paid_booking, stripe.url, 2000)
    for size, page, problems in open_pages(browser, demo_site, stripe):
        page.goto(demo_site + made["manage"])
        closed = page.locator("#wb-changes-closed")
        expect(closed).to_contain_text(re.compile(
            rf"Online changes closed at .+ \({re.escape(ZONE)}\)\. To change or cancel, contact us\."))
        expect(closed.get_by_role("link", name=PHONE_NUMBER)).to_have_attribute("href", "tel:+12125550100")
        expect(closed.get_by_role("link", name=DESK)).to_have_attribute("href", f"mailto:{DESK}")
        expect(page.locator(".wb-manage").get_by_role("button")).to_have_count(0)
        shot(page, "cut-off", size)
        assert problems == [], "\n".join(problems)
        page.context.close()
