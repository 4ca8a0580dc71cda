"""A class in the booking block, in headless Chromium at 1280 and 390 px: each time says how many seats are left,
the client books 2 seats, the confirmation says "2 seats", and the same time then has 2 seats fewer.

Screenshots go to test-artifacts/ (class-seats-desktop.png, class-seats-phone.png, class-booked-*.png).
"""

import re

import pytest

from .axe import assert_accessible
from .support import BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, field, in_thread, offered_times, screenshot

pytestmark = BROWSER_MARKS
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def make_it_a_class():
    """The demo home block's service becomes a 12-seat class; one booking may take up to 3 seats."""
    from wagtail.models import Site

    from wagtail_booking.snippets.models import Service

    home = Site.objects.get(is_default_site=True).root_page.specific
    service_id = next(block.value["service"].pk for block in home.body if block.block_type == "booking")
    Service.objects.filter(pk=service_id).update(capacity=12, max_seats_per_booking=3)


def seats_of(email):
    from wagtail_booking.bookings.models import Booking

    booking = Booking.objects.get(client_email=email)
    return booking.seats, booking.session.seats_taken


@pytest.mark.parametrize(("size", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_client_books_two_seats_in_a_class(browser, demo_site, size, name):
    in_thread(make_it_a_class)
    context = browser.new_context(**size, timezone_id="America/New_York", locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(demo_site + "/")
    times = offered_times(page)
    radio, label, _start = times[0]
    value = radio.get_attribute("value")
    assert label.endswith("12 of 12 seats left"), label
    radio.check()
    seats = field(page, "combobox", "Seats")
    expect(seats.locator("option")).to_have_text(["1 seat", "2 seats", "3 seats"])
    seats.select_option(label="2 seats")
    field(page, "textbox", "Your name").fill("Sam Seats")
    email = f"sam.{name}@example.com"
    field(page, "textbox", "Email").fill(email)
    field(page, "textbox", "What would you like to discuss?").fill("Two seats, please")
    field(page, "checkbox", "I agree to the privacy policy").check()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    radio.scroll_into_view_if_needed()
    screenshot(page, f"class-seats-{name}.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Book now").click()
    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    expect(page.locator(".wb-summary")).to_contain_text(re.compile(r"Seats\s*2 seats"))
    assert_accessible(page)
    screenshot(page, f"class-booked-{name}.png")
    assert in_thread(seats_of, email) == (2, 2)

    # Back on the block: the same time now has two seats fewer.
    page.goto(demo_site + "/")
    again = {value: label for value, label in
             ((r.get_attribute("value"), n) for r, n, _s in offered_times(page))}
    assert again[value].endswith("10 of 12 seats left")
    context.close()
