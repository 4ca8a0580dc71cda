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


def a_week_with_a_class():
    """Dr. Maya Chen's class on a Monday at 10:00: two clients, 5 of 12 seats."""
    from tests.helpers import next_monday, ny
    from wagtail_booking.bookings import services
    from wagtail_booking.snippets.models import Provider, Service

    maya = Provider.objects.get(name="Dr. Maya Chen")
    yoga = Service.objects.create(name="Morning yoga", duration_minutes=60, slot_interval_minutes=60, capacity=12,
                                  max_seats_per_booking=3, booking_horizon_days=365)
    yoga.providers.add(maya)
    monday = next_monday()
    first = services.create_hold(yoga, ny(monday, 10), services.ClientDetails("Ann Asana", "ann@example.com",
                                                                              "America/New_York"), maya, seats=2)
    services.create_hold(yoga, ny(monday, 10), services.ClientDetails("Bo Bend", "bo@example.com",
                                                                      "America/New_York"), maya, seats=3)
    return monday.isoformat(), maya.pk, first.pk


@pytest.mark.parametrize(("size", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_staff_see_a_class_once_with_its_seats_and_its_roster(browser, demo_site, size, name):
    monday, maya, first = in_thread(a_week_with_a_class)
    page = browser.new_context(**size).new_page()
    page.goto(demo_site + "/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("booking-sandbox")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    page.goto(f"{demo_site}/admin/booking/calendar/?view=day&date={monday}&provider={maya}")
    entry = page.locator(".fc-event", has_text="Morning yoga")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Morning yoga · 5 of 12 seats taken")
    expect(entry).to_have_attribute("title", re.compile(r"^Class · Morning yoga · 5 of 12 seats taken"))
    expect(page.locator(".fc-event", has_text="Ann Asana")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, f"class-calendar-{name}.png")
    page.goto(f"{demo_site}/admin/bookings/inspect/{first}/")
    facts = page.locator(".wb-facts").first
    expect(facts).to_contain_text("2 seats")
    expect(facts).to_contain_text("5 of 12 seats taken")
    expect(page.get_by_role("link", name="Bo Bend (3 seats)")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"class-booking-page-{name}.png")
