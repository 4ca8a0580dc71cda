"""A card kept on file and a no-show fee the client's bank wants them to confirm, in headless Chromium.

The demo's "Free consultation" gets a policy with a $25 no-show fee. A client who agreed to keep a card on file
saves one that always needs the cardholder (4000 0027 6000 3184) on the card step, with the bank's check; staff
charge the no-show fee, the bank asks for the client, and the client confirms it from the emailed link. Then the
owner sees the card, the consent and the paid fee on the booking's admin page, and charges another client's fee
through the confirmation page. On a phone (390 px) and a desktop (1280 px); screenshots in /work/shots/fees when
that folder exists, else test-artifacts/.
"""

import re
from pathlib import Path

import pytest

from .support import ARTIFACTS, BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, in_thread, watch

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SHOTS = Path("/work/shots/fees") if Path("/work/shots").is_dir() else ARTIFACTS


def booking_with_consent(email):
    """A confirmed Free consultation whose client ticked the card-on-file box; (reference, manage token)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from wagtail_booking.blocks.forms import card_consent_for
    from wagtail_booking.bookings import services
    from wagtail_booking.bookings.availability import available_slots
    from wagtail_booking.bookings.intake import client_details
    from wagtail_booking.bookings.tokens import manage_token
    from wagtail_booking.checkout.cards import record_consent
    from wagtail_booking.checkout.models import CancellationPolicy
    from wagtail_booking.snippets.models import Service

    service = Service.objects.get(name="Free consultation")
    policy, _ = CancellationPolicy.objects.get_or_create(name="Fees", site_id=service.site_id, defaults={
        "no_show_fee_kind": "fixed", "no_show_fee_value": Decimal("25")})
    service.cancellation_policy = policy
    service.save()
    now = timezone.now()
    taken = 0 if email.startswith("a") else 1
    slot = [s for s in available_slots(service, now, now + timedelta(days=14))
            if s.start >= now + timedelta(hours=3)][taken]
    client = client_details(service, "Robin Card", email, "", "Europe/London", {
        "what_would_you_like_to_discuss": "Sleep", "how_did_you_hear_about_us": "",
        "i_agree_to_the_privacy_policy": True})
    booking = services.create_hold(service, slot.start, client)
    record_consent(booking, card_consent_for(service))
    return booking.reference, manage_token(booking)


def no_show_and_charge(reference):
    """Staff mark the no-show and charge the fee; returns the outcome and the client's link (path)."""
    from datetime import timedelta

    from wagtail_booking.bookings import services
    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.checkout import fees
    from wagtail_booking.notifications.fee_emails import authentication_url

    booking = Booking.objects.get(reference=reference)
    services.mark_outcome(booking, "no_show", now=booking.start + timedelta(minutes=20))
    outcome = fees.charge(fees.prepare(booking, "no_show"), 0)
    return outcome.kind, re.sub(r"^https?://[^/]+", "", authentication_url(outcome.fee))


def mark_no_show(reference):
    from datetime import timedelta

    from wagtail_booking.bookings import services
    from wagtail_booking.bookings.models import Booking

    booking = Booking.objects.get(reference=reference)
    services.mark_outcome(booking, "no_show", now=booking.start + timedelta(minutes=20))
    return booking.pk


def fee_state(reference):
    from wagtail_booking.checkout.card_models import FeeCharge

    fee = FeeCharge.objects.select_related("payment").get(booking__reference=reference)
    return fee.payment.state, str(fee.payment.amount_captured)


def shot(page, name, size):
    if size == "phone":
        assert_no_horizontal_scroll(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    if name.startswith("admin"):  # the admin scrolls inside its layout: grow the viewport for a whole page
        viewport = page.viewport_size
        height = page.evaluate("() => document.querySelector('main').scrollHeight + 200")
        page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
        page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
        page.set_viewport_size(viewport)
        return
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)


def save_card(page, site, reference, token, number, size, three_d_secure=True):
    page.goto(f"{site}/booking/card/{reference}/{token}/")
    expect(page.get_by_role("heading", name="Keep a card on file")).to_be_visible()
    expect(page.get_by_text("no-show fee of US$25.00")).to_be_visible()
    shot(page, "save-card", size)
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Save the card").click()
    if three_d_secure:
        page.get_by_role("button", name="Complete authentication").click()
    expect(page).to_have_url(re.compile(r"/booking/booked/"))


@pytest.mark.parametrize("size, options", [("phone", PHONE), ("desktop", DESKTOP)])
def test_card_saved_then_a_fee_the_client_confirms_with_their_bank(browser, demo_site, stripe, size,
                                                                   options):
    reference, token = in_thread(booking_with_consent, f"{size[0]}-robin@example.com")
    context = browser.new_context(**options, timezone_id="Europe/London", locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch(page, demo_site, console=False)
    page.goto(demo_site + "/")  # the booking form offers the box, unticked, naming the fee and its amount
    consent = page.get_by_role("checkbox", name=re.compile(r"keeps my card on file .* no-show fee of US\$25\.00"))
    expect(consent).not_to_be_checked()
    consent.scroll_into_view_if_needed()
    shot(page, "booking-form-consent", size)
    save_card(page, demo_site, reference, token, "4000 0027 6000 3184", size)
    shot(page, "card-saved-booked", size)

    kind, link = in_thread(no_show_and_charge, reference)
    assert kind == "needs_authentication"
    page.goto(demo_site + link)
    expect(page.get_by_role("heading", name="Confirm a payment")).to_be_visible()
    expect(page.locator("dl.wb-summary")).to_contain_text("Visa •••• 3184")
    shot(page, "fee-authenticate", size)
    page.get_by_role("button", name=re.compile(r"Confirm US\$25\.00 with my bank")).click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_text("the payment is complete")).to_be_visible()
    shot(page, "fee-paid", size)
    assert in_thread(fee_state, reference) == ("captured", "25.00")
    context.close()
    assert problems == [], "\n".join(problems)


def test_owner_sees_the_card_and_charges_a_no_show_fee(browser, demo_site, stripe):
    reference, token = in_thread(booking_with_consent, "a-sam@example.com")
    context = browser.new_context(**DESKTOP, timezone_id="Europe/London", locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    save_card(page, demo_site, reference, token, "4242 4242 4242 4242", "desktop", three_d_secure=False)
    pk = in_thread(mark_no_show, reference)
    page.goto(demo_site + "/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("booking-sandbox")
    page.get_by_role("button", name=re.compile("Sign in")).click()
    page.goto(f"{demo_site}/admin/bookings/inspect/{pk}/")
    card = page.get_by_role("region", name="Card on file and fees", exact=True)
    expect(card).to_contain_text("Visa •••• 4242")
    expect(card).to_contain_text("I agree that")
    shot(page, "admin-card-on-file", "desktop")
    card.get_by_role("link", name=re.compile("No-show fee: charge US\\$25.00")).click()
    expect(page.get_by_text(re.compile(r"Charge US\$25\.00 to Visa •••• 4242"))).to_be_visible()
    shot(page, "admin-charge-confirm", "desktop")
    page.get_by_role("button", name="Yes: Charge the no-show fee").click()
    expect(page.get_by_text("No-show fee of US$25.00 charged.")).to_be_visible()
    shot(page, "admin-fee-charged", "desktop")
    assert in_thread(fee_state, reference) == ("captured", "25.00")
    context.close()
