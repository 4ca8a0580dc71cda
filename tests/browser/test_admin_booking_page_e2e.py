"""The booking's page in the admin, in Chromium: the listing opens it; payments, messages and history are on it;
a refund and a cancellation ask first and say the money; a free booking shows its answers in words.

A paid booking is made through the checkout against the live server and the module's Stripe fake (as in
test_manage_policy_e2e), and a free one with the demo's intake form. Screenshots at 1280 px and 390 px go to
test-artifacts/admin-booking-*.png.
"""

import re
from decimal import Decimal

import pytest

from .support import ARTIFACTS, BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, in_thread, watch
from .test_manage_policy_e2e import make_paid_booking

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SIZES = (("desktop", DESKTOP), ("phone", PHONE))


def make_free_booking():
    """A Free consultation booked by a client with the demo's intake answers (one left empty)."""
    from datetime import timedelta

    from django.utils import timezone

    from wagtail_booking.bookings import services
    from wagtail_booking.bookings.availability import available_slots
    from wagtail_booking.bookings.intake import client_details
    from wagtail_booking.snippets.models import Service

    service = Service.objects.get(name="Free consultation")
    now = timezone.now()
    slot = next(s for s in available_slots(service, now, now + timedelta(days=14))
                if s.start >= now + timedelta(hours=3))
    client = client_details(service, "Robin Free", "robin@example.com", "", "Europe/London", {
        "what_would_you_like_to_discuss": "Back pain when sitting", "how_did_you_hear_about_us": "",
        "i_agree_to_the_privacy_policy": True})
    return services.create_hold(service, slot.start, client).reference


def payment_of(reference):
    from wagtail_booking.checkout.models import BookingPayment

    payment = BookingPayment.objects.get(booking__reference=reference)
    return payment.amount_refunded, payment.booking.status


def log_in(page, site):
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("booking-sandbox")
    page.get_by_role("button", name=re.compile("Sign in")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def shot(page, name, size):
    if size == "phone":
        assert_no_horizontal_scroll(page)
    # The admin scrolls inside its own layout, so a "full page" shot would stop at the viewport: grow it instead.
    viewport = page.viewport_size
    height = page.evaluate("() => document.querySelector('main').scrollHeight + 200")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    page.screenshot(path=str(ARTIFACTS / f"admin-booking-{name}-{size}.png"))
    page.set_viewport_size(viewport)


def section(page, name):
    return page.get_by_role("region", name=name, exact=True)


def test_booking_page_with_payments_history_messages_and_confirmed_refund(browser, demo_site, stripe):
    paid = in_thread(make_paid_booking, stripe.url)["reference"]
    free = in_thread(make_free_booking)
    for size, options in reversed(SIZES):  # the phone first, while the booking is still paid and confirmed
        context = browser.new_context(**options, timezone_id="Europe/London", locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        problems = watch(page, demo_site, console=False)
        log_in(page, demo_site)

        page.goto(demo_site + "/admin/bookings/")
        shot(page, "listing", size)
        page.get_by_role("link", name=paid, exact=True).click()  # the reference opens the booking's page
        expect(page.get_by_role("heading", level=2, name=re.compile("^Appointment"))).to_be_visible()
        payments = section(page, "Payments and refunds")
        expect(payments).to_contain_text("US$18.00")
        expect(payments).to_contain_text(re.compile(r"Stripe: pi_\w+"))
        expect(section(page, "Messages sent to the client")).to_contain_text(
            re.compile(r"Email\s*Booking confirmed\s*pat@example\.com\s*Sent"))
        history = section(page, "History")
        expect(history).to_contain_text(re.compile(r"Payment received: US\$18\.00\s*the client"))
        expect(section(page, "Appointment")).to_contain_text("(America/New_York)")
        shot(page, "paid", size)
        if size == "phone":
            context.close()
            assert problems == [], "\n".join(problems)
            continue

        # A refund says the amount back and asks first; "No, go back" changes nothing.
        payments.get_by_label("Amount to refund (USD)").fill("5")
        payments.get_by_role("button", name="Refund…").click()
        expect(page.get_by_text("Refund US$5.00 to the client's card? This cannot be undone.")).to_be_visible()
        page.get_by_role("link", name="No, go back").click()
        assert in_thread(payment_of, paid) == (Decimal("0"), "confirmed")
        section(page, "Payments and refunds").get_by_label("Amount to refund (USD)").fill("5")
        section(page, "Payments and refunds").get_by_role("button", name="Refund…").click()
        page.get_by_role("button", name="Yes: Refund").click()
        expect(page.get_by_text("Refunded US$5.00.")).to_be_visible()
        expect(section(page, "History")).to_contain_text(re.compile(r"Refunded: US\$5\.00\s*admin"))
        assert in_thread(payment_of, paid) == (Decimal("5.00"), "confirmed")

        # Cancelling asks first, saying the money the client gets back.
        section(page, "What you can do now").get_by_role("link", name="Cancel booking…").click()
        expect(page.get_by_text(re.compile(r"The client gets US\$13\.00 back on their card"))).to_be_visible()
        shot(page, "confirm-cancel", size)
        page.get_by_role("button", name="Yes: Cancel booking").click()
        expect(section(page, "Appointment")).to_contain_text("Cancelled")
        expect(section(page, "History")).to_contain_text(re.compile(r"Cancelled\s*admin"))
        assert in_thread(payment_of, paid) == (Decimal("18.00"), "cancelled")
        shot(page, "refunded", size)
        context.close()
        assert problems == [], "\n".join(problems)

    context = browser.new_context(**PHONE, timezone_id="Europe/London", locale="en-GB")
    page = context.new_page()
    log_in(page, demo_site)
    page.goto(demo_site + "/admin/bookings/")
    page.get_by_role("link", name=paid, exact=True).click()
    expect(section(page, "History")).to_contain_text(re.compile(r"Refunded: US\$13\.00"))
    shot(page, "refunded", "phone")
    context.close()

    for size, options in SIZES:
        context = browser.new_context(**options, timezone_id="Europe/London", locale="en-GB")
        page = context.new_page()
        log_in(page, demo_site)
        page.goto(demo_site + "/admin/bookings/")
        page.get_by_role("link", name=free, exact=True).click()
        client = section(page, "Client")
        expect(client).to_contain_text(re.compile(r"I agree to the privacy policy\s*Yes"))
        expect(client).to_contain_text(re.compile(r"How did you hear about us\?\s*—"))
        expect(section(page, "Payments and refunds")).to_contain_text("Free: nothing to pay.")
        expect(section(page, "Appointment")).to_contain_text("Client's time")
        shot(page, "free", size)
        context.close()
