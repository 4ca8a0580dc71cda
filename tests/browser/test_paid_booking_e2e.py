"""Pay a booking deposit through the Oscar checkout with a test card, in headless Chromium on a phone.

The sandbox's demo data (``load_demo``) on pytest-django's ``live_server``, with the loopback Stripe fake
(``sandbox/fakes/stripe_server.py``) standing in for Stripe: its API for the server, its Stripe.js for the page,
its 3-D Secure page, and its webhooks, which it POSTs to the live server's ``/booking/stripe/webhook/`` as they
happen (so the return page and the webhook race to finalise the payment, as they do for real).

A client in London opens /services/, picks a time for "Massage therapy" ($90, 20% deposit = $18.00) in its
block, gives their details and presses "Continue to payment"; Oscar's basket shows the appointment line; they
check out as a guest with their email, reach "Pay the deposit", type a test card into the fake Stripe element
and pay, and end on "You're booked". Then the database must hold a confirmed booking, one Oscar order for
$18.00 and a captured payment. The second test pays with a 3-D Secure card and completes authentication on the
/3ds page; the third is declined first, sees why on the payment page, and pays with a good card.

Screenshots go to test-artifacts/ (git-ignored). The wall clock is real: the tests take the first offered day.
"""

import re
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from wagtail_booking.checkout.views import HANDLED_EVENTS

from .axe import assert_accessible
from .support import (
    ARTIFACTS,
    BROWSER_MARKS,
    CLIENT_ZONE,
    assert_no_horizontal_scroll,
    booking_summary,
    check_times_are_in,
    field,
    in_thread,
    offered_times,
    phone_page,
    pick_index,
    screenshot,
    summary_list,
)

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

SERVICE = "Massage therapy"
DEPOSIT, PRICE = Decimal("18.00"), Decimal("90.00")
PROVIDERS = {"Sam Okafor", "Dr. Maya Chen"}
USD = r"(?:US)?\$"  # the en-gb locale writes dollars as "US$"
GOOD_CARD, THREE_D_SECURE_CARD, DECLINED_CARD = "4242 4242 4242 4242", "4000 0025 0000 3155", "4000 0000 0000 0002"


# --- helpers --------------------------------------------------------------------------------------------------


def hold_a_massage(page, site, name, email, shot=None, audit=False):
    """/services/ -> the Massage therapy block -> a time and the client's details -> "Continue to payment"."""
    page.goto(site + "/services/")
    # The script reloads the page once to show the times in the browser's zone.
    page.wait_for_url(re.compile(r"[?&]booking_tz=Europe%2FLondon"))
    expect(page.get_by_role("heading", level=1, name="Services")).to_be_visible()
    assert_no_horizontal_scroll(page)

    block = page.get_by_role("region", name=SERVICE)
    expect(block).to_be_visible()
    expect(field(block, "combobox", "Show times in")).to_have_value(CLIENT_ZONE)
    expect(block.get_by_role("group", name=re.compile(r"^Time on "))).to_contain_text(f"({CLIENT_ZONE})")
    times = offered_times(page, within=block)
    check_times_are_in(times, CLIENT_ZONE)
    radio, time_label, start = times[pick_index(times)]
    field(block, "radio", time_label).check()
    expect(radio).to_be_checked()

    for label, required in [("Your name", True), ("Email", True), ("Phone (optional)", False)]:
        control = field(block, "textbox", label)
        expect(control).to_be_visible()
        assert control.evaluate("el => el.required") is required, f"{label!r} required should be {required}"
    field(block, "textbox", "Your name").fill(name)
    field(block, "textbox", "Email").fill(email)
    price = re.compile(rf"Price {USD}90\.00\. To hold your time you pay a deposit of {USD}18\.00 now")
    expect(block.get_by_text(price)).to_be_visible()
    if shot:
        block.screenshot(path=str(ARTIFACTS / shot))
    if audit:
        assert shop_links(page) == []
        assert_accessible(page)
    with page.expect_navigation():
        field(block, "button", "Continue to payment").click()
    return time_label, start


def shop_links(page):
    """Links on the page that lead into the shop (catalogue, basket, account) or say they do."""
    links = page.eval_on_selector_all("a[href]:not([href^='#'])",
                                      "els => els.map(a => [a.innerText.trim(), a.pathname])")
    shop_words = re.compile(r"\b(store|shop|shopping|basket|products?|catalogue)\b", re.IGNORECASE)
    return [(text, path) for text, path in links if path.startswith("/shop/") or shop_words.search(text)]


def steps(page):
    """The step bar: the steps' names and the one marked current."""
    bar = page.get_by_role("navigation", name="Booking steps")
    expect(bar).to_be_visible()
    names = [text.strip() for text in bar.get_by_role("listitem").all_inner_texts()]
    return names, bar.locator("[aria-current=step]").inner_text().strip()


def check_payment_page(page, time_label, start, provider, shot=None):
    """Straight from the block to "Pay the deposit": the booking's summary, the hold, the card form, "Pay $18.00"."""
    page.wait_for_url(re.compile(r"/shop/checkout/payment-details/$"))
    expect(page.get_by_role("heading", level=1, name="Pay the deposit")).to_be_visible()
    assert steps(page) == (["Details", "Payment", "Confirmed"], "Payment")
    summary = summary_list(page.locator(".wb-payment dl.wb-summary"))
    assert summary["Service"] == SERVICE and summary["With"] == provider, summary
    london = start.astimezone(ZoneInfo(CLIENT_ZONE))
    assert summary["When"] == f"{london:%A %-d %B %Y}, {time_label} ({CLIENT_ZONE})", summary
    assert re.fullmatch(rf"{USD}18\.00", summary["Deposit"]), summary
    assert re.fullmatch(rf"{USD}72\.00", summary["Balance due at the appointment"]), summary
    held = page.locator(".wb-hold-until")
    countdown = re.compile(r"^Held for you until (\d\d:\d\d) \(Europe/London\) · (\d+) min (\d\d) s left$")
    expect(held).to_have_text(countdown)
    held_until, minutes, _seconds = countdown.match(held.inner_text()).groups()
    assert 0 <= int(minutes) < 15, held.inner_text()
    for label in ("Card number", "Expiry (MM / YY)", "CVC"):
        expect(field(page, "textbox", label)).to_be_visible()
    expect(pay_button(page)).to_be_enabled()
    assert page.get_by_role("textbox", name=re.compile("email", re.IGNORECASE)).count() == 0  # not asked again
    assert shop_links(page) == []
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    if shot:
        screenshot(page, shot)
    return held_until


def pay_button(page):
    return page.get_by_role("button", name=re.compile(rf"^Pay {USD}18\.00$"))


def enter_card(page, number):
    card = field(page, "textbox", "Card number")
    card.fill("")
    card.press_sequentially(number)
    field(page, "textbox", "Expiry (MM / YY)").fill("12 / 34")
    field(page, "textbox", "CVC").fill("123")


def check_booked(page, email, reference, time_label, start, provider, shot=None):
    page.wait_for_url(re.compile(rf"/booking/booked/{reference}/"))
    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    summary = booking_summary(page)
    assert summary["Reference"] == reference and summary["Service"] == SERVICE, summary
    assert summary["With"] == provider and summary["Status"] == "Confirmed", summary
    london = start.astimezone(ZoneInfo(CLIENT_ZONE))
    assert f"{london:%A %-d %B %Y}, {time_label}" in summary["When"] and f"({CLIENT_ZONE})" in summary["When"]
    expect(page.get_by_text(f"We sent the details to {email}.")).to_be_visible()
    assert steps(page) == (["Details", "Payment", "Confirmed"], "Confirmed")
    assert shop_links(page) == []
    # Inside the authorisation window the card is captured by a background task: either wording is true.
    deposit = re.compile(rf"Deposit (paid|authorised on your card): {USD}18\.00\. "
                         rf"Balance due at the appointment: {USD}72\.00")
    expect(page.get_by_text(deposit)).to_be_visible()
    assert_no_horizontal_scroll(page)
    if shot:
        screenshot(page, shot)


def held_booking(email):
    """The reference and provider of the client's held booking (the payment page shows no reference)."""
    def read():
        from wagtail_booking.bookings.models import Booking

        booking = Booking.objects.select_related("provider").get(client_email=email, status="held")
        return booking.reference, booking.provider.name

    reference, provider = in_thread(read)
    assert provider in PROVIDERS, provider
    return reference, provider


def hold_expires_at(reference):
    from wagtail_booking.bookings.models import Booking

    return Booking.objects.get(reference=reference).hold_expires_at


def booking_status(reference):
    from wagtail_booking.bookings.models import Booking

    return Booking.objects.get(reference=reference).status


def stored_payment(reference):
    """What the database holds for the booking: its status, its payment, and the Oscar order."""
    from oscar.core.loading import get_model

    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.checkout.catalogue import booking_references
    from wagtail_booking.checkout.models import BookingPayment

    order_model = get_model("order", "Order")
    booking = Booking.objects.get(reference=reference)
    payments = list(BookingPayment.objects.filter(booking=booking).select_related("order"))
    assert len(payments) == 1, payments
    payment = payments[0]
    order = payment.order
    assert order is not None, f"no order for {payment} ({payment.problem!r})"
    source = order.sources.get()
    return {
        "booking": booking.status, "orders": order_model.objects.count(),
        "payment": {"state": payment.state, "amount": payment.amount, "captured": payment.amount_captured,
                    "refunded": payment.amount_refunded, "currency": payment.currency, "email": payment.email,
                    "intent": payment.payment_intent_id, "problem": payment.problem},
        "order": {"number": order.number, "total": order.total_incl_tax, "currency": order.currency,
                  "guest_email": order.guest_email, "references": booking_references(order),
                  "lines": [line.title for line in order.lines.all()],
                  "events": sorted(event.event_type.name for event in order.payment_events.all())},
        "source": {"type": source.source_type.code, "reference": source.reference,
                   "allocated": source.amount_allocated, "debited": source.amount_debited},
    }


def check_paid(stripe, reference, email):
    """The booking is confirmed, one Oscar order took $18.00 and the deposit is captured, at Stripe too."""
    stored = in_thread(stored_payment, reference)
    assert stored["booking"] == "confirmed", stored
    assert stored["orders"] == 1, stored
    payment, order, source = stored["payment"], stored["order"], stored["source"]
    assert payment == {**payment, "state": "captured", "amount": DEPOSIT, "captured": DEPOSIT,
                       "refunded": Decimal("0"), "currency": "USD", "email": email, "problem": ""}, stored
    assert order == {**order, "total": DEPOSIT, "currency": "USD", "guest_email": email,
                     "references": [reference], "lines": [SERVICE]}, stored
    assert order["events"] == ["Authorised", "Paid"], stored
    assert source == {**source, "type": "stripe", "reference": payment["intent"], "allocated": DEPOSIT,
                      "debited": DEPOSIT}, stored
    with stripe.lock:
        intent = dict(stripe.payment_intents[payment["intent"]])
    assert (intent["status"], intent["amount"], intent["amount_received"], intent["currency"]) == (
        "succeeded", 1800, 1800, "usd"), intent
    assert intent["metadata"]["booking"] == reference and intent["metadata"]["order_number"] == order["number"]
    return stored


def processed_events():
    from wagtail_booking.checkout.models import ProcessedStripeEvent

    return set(ProcessedStripeEvent.objects.values_list("event_id", flat=True))


def check_webhooks(stripe):
    """Every event reached the webhook, was accepted and recorded as processed; returns the event types."""
    assert stripe.wait_for_deliveries(timeout=15), "webhooks still queued"
    with stripe.lock:
        deliveries, undelivered = list(stripe.deliveries), list(stripe.undelivered)
        events = [(event["id"], event["type"]) for event in stripe.events]
    assert undelivered == [] and all(status == 200 for _event, status in deliveries), deliveries
    assert sorted(event_id for event_id, _status in deliveries) == sorted(event_id for event_id, _type in events)
    assert in_thread(processed_events) == {event_id for event_id, type_ in events if type_ in HANDLED_EVENTS}
    return [event_type for _event_id, event_type in events]


# --- tests ----------------------------------------------------------------------------------------------------


def documents_shown(page):
    """(status, path) of every page the browser loads in its main frame, redirects included."""
    shown = []
    page.on("response", lambda response: response.request.resource_type == "document"
            and response.frame == page.main_frame and shown.append((response.status, urlsplit(response.url).path)))
    return shown


def also_at_desktop_width(page, name):
    """A 1280 px screenshot of the current page, then back to the phone's width."""
    phone = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, name)
    page.set_viewport_size(phone)


def test_pay_the_deposit_with_a_test_card_on_a_phone(browser, demo_site, stripe):
    """A deposit is a booking step: block, payment, confirmed; no basket, shipping, email or preview step."""
    page, problems = phone_page(browser, demo_site, stripe)
    shown = documents_shown(page)
    email = "casey.card@example.com"
    time_label, start = hold_a_massage(page, demo_site, "Casey Card", email, shot="paid-services-block-phone.png",
                                       audit=True)
    reference, provider = held_booking(email)
    held_until = check_payment_page(page, time_label, start, provider, shot="paid-payment-phone.png")
    assert held_until == f"{in_thread(hold_expires_at, reference).astimezone(ZoneInfo(CLIENT_ZONE)):%H:%M}"
    also_at_desktop_width(page, "paid-payment-desktop.png")

    enter_card(page, GOOD_CARD)
    with page.expect_navigation(url=re.compile(r"/booking/booked/")):
        pay_button(page).click()
    check_booked(page, email, reference, time_label, start, provider, shot="paid-booked-phone.png")
    assert_accessible(page)
    also_at_desktop_width(page, "paid-booked-desktop.png")
    assert problems == [], "\n".join(problems)
    page.context.close()

    # The pages the client saw: the block's page (reloaded once for their zone), the payment page, the booking.
    pages = [path for status, path in shown if status == 200 and path != "/services/"]
    assert shown[0] == (200, "/services/") and len(pages) == 2, shown
    assert pages[0] == "/shop/checkout/payment-details/", shown
    assert re.fullmatch(rf"/booking/booked/{reference}/[^/]+/", pages[1]), shown

    events = check_webhooks(stripe)  # first: a webhook that finalised the payment may still be capturing it
    check_paid(stripe, reference, email)
    assert events[-1] == "payment_intent.succeeded", events


def test_the_hold_runs_out_on_the_payment_page(browser, demo_site, stripe):
    """The countdown reaches zero: the card form goes, the page says so and offers to pick a new time."""
    page, problems = phone_page(browser, demo_site, stripe)
    page.clock.install()
    email = "olly.late@example.com"
    time_label, start = hold_a_massage(page, demo_site, "Olly Late", email)
    reference, provider = held_booking(email)
    held_until = check_payment_page(page, time_label, start, provider)

    page.clock.fast_forward("16:00")
    over = page.get_by_role("alert").filter(has_text="Your hold has run out")
    expect(over).to_be_visible()
    expect(over).to_have_text(re.compile(r"this time is no longer kept for you\. Nothing was charged\."))
    expect(page.locator(".wb-hold-until")).to_have_text(f"Held for you until {held_until} ({CLIENT_ZONE})")
    expect(page.locator("#wb-payment-form")).to_be_hidden()
    assert_accessible(page)
    screenshot(page, "paid-hold-over-phone.png")
    with page.expect_navigation():
        over.get_by_role("link", name="Pick a new time").click()
    assert urlsplit(page.url).path == "/services/", page.url
    expect(page.get_by_role("region", name=SERVICE)).to_be_visible()
    assert in_thread(booking_status, reference) == "held"  # nothing was paid; the hold lapses on its own
    assert problems == [], "\n".join(problems)
    page.context.close()


def test_pay_with_a_3d_secure_card(browser, demo_site, stripe):
    page, problems = phone_page(browser, demo_site, stripe)
    email = "sam.secure@example.com"
    time_label, start = hold_a_massage(page, demo_site, "Sam Secure", email)
    reference, provider = held_booking(email)
    check_payment_page(page, time_label, start, provider)

    enter_card(page, THREE_D_SECURE_CARD)
    with page.expect_navigation(url=re.compile(rf"^{re.escape(stripe.url)}/3ds/")):
        pay_button(page).click()
    expect(page.get_by_role("heading", name="Authenticate this payment")).to_be_visible()
    expect(page.get_by_text("18.00 USD")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "paid-3ds-phone.png")
    with page.expect_navigation(url=re.compile(r"/booking/booked/")):
        field(page, "button", "Complete authentication").click()
    check_booked(page, email, reference, time_label, start, provider, shot="paid-3ds-booked-phone.png")
    assert problems == [], "\n".join(problems)
    page.context.close()

    events = check_webhooks(stripe)  # first: a webhook that finalised the payment may still be capturing it
    check_paid(stripe, reference, email)
    assert events[-1] == "payment_intent.succeeded", events


def test_declined_card_then_a_good_one(browser, demo_site, stripe):
    page, problems = phone_page(browser, demo_site, stripe)
    email = "dee.declined@example.com"
    time_label, start = hold_a_massage(page, demo_site, "Dee Declined", email)
    reference, provider = held_booking(email)
    check_payment_page(page, time_label, start, provider)

    enter_card(page, DECLINED_CARD)
    pay = pay_button(page)
    pay.click()
    alert = page.locator("#wb-payment-message")
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_have_text("Your card was declined. Please try again or use another card.")
    expect(pay).to_be_enabled()
    assert re.search(r"/shop/checkout/payment-details/$", page.url), page.url
    assert_no_horizontal_scroll(page)
    screenshot(page, "paid-declined-phone.png")
    assert in_thread(booking_status, reference) == "held"

    enter_card(page, GOOD_CARD)
    with page.expect_navigation(url=re.compile(r"/booking/booked/")):
        pay.click()
    check_booked(page, email, reference, time_label, start, provider)
    assert problems == [], "\n".join(problems)
    page.context.close()

    events = check_webhooks(stripe)  # first: a webhook that finalised the payment may still be capturing it
    check_paid(stripe, reference, email)
    assert events[0] == "payment_intent.payment_failed" and events[-1] == "payment_intent.succeeded", events
