"""Join a full day's waitlist from the booking block, then claim the place a cancellation frees, from the emailed
link: at desktop width and on a phone, each page checked with axe. Screenshots go to test-artifacts/."""

import json
import re
from datetime import time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from tests.helpers import next_monday, ny

from .axe import assert_accessible
from .support import BROWSER_MARKS, CLIENT_ZONE, PHONE, assert_no_horizontal_scroll, field, in_thread, screenshot

pytestmark = BROWSER_MARKS
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def full_day(demo_site):
    """A massage whose Monday has two places, both booked, on a page of its own: (page url, Monday, bookings)."""
    from home.models import ContentPage
    from wagtail.models import Site

    from tests.factories.booking import ProviderFactory, ServiceFactory
    from wagtail_booking.bookings import services

    provider = ProviderFactory(name="Noor", weekdays=[(0, time(9), time(10))])
    service = ServiceFactory(name="Sports massage", providers=[provider])
    monday = next_monday(1)
    booked = [services.create_hold(service, ny(monday, 9, minute), services.ClientDetails(
        name=f"Regular {minute}", email=f"regular{minute}@example.com", timezone="America/New_York"))
        for minute in (0, 30)]
    home = Site.objects.get(is_default_site=True).root_page
    home.add_child(instance=ContentPage(title="Sports massage", slug="sports-massage", body=json.dumps([
        {"type": "booking", "value": {"service": service.pk, "provider": None, "heading": "Book a sports massage"}}])))
    query = f"?booking_service={service.pk}&booking_date={monday.isoformat()}&booking_tz={CLIENT_ZONE}"
    return f"{demo_site}/sports-massage/{query}", monday, booked


def cancel(booking):
    from wagtail_booking.bookings import services

    services.cancel(booking, by="staff")  # commits: the offer task runs and emails the first in line


def claim_link(site, email):
    """The emailed claim link, on the live server (emails name the site's configured base URL)."""
    message = next(m for m in reversed(mail.outbox) if m.to == [email] and "free for you" in m.subject)
    return site + re.search(r"https?://[^/\s]+(/\S*/waitlist/claim/\S+/)", message.body).group(1)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_join_a_full_days_waitlist_then_claim_the_freed_place(full_day, browser, demo_site, size):
    url, monday, booked = full_day
    context = browser.new_context(**(DESKTOP if size == "desktop" else PHONE), timezone_id=CLIENT_ZONE,
                                  locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(url)
    form = page.locator("form.wb-waitlist")
    expect(form.get_by_role("heading", name="Join the waitlist")).to_be_visible()
    expect(form).to_contain_text(f"{monday:%A} {monday.day} {monday:%B} is full.")
    assert_accessible(page)
    field(form, "textbox", "Your name").fill("Ana Waiting")
    field(form, "textbox", "Email").fill("ana@example.com")
    expect(field(form, "combobox", "Language of our messages")).to_have_value("en-gb")
    screenshot(page, f"waitlist-join-{size}.png")
    form.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("heading", name="You are on the waitlist")).to_be_visible()
    expect(page.locator("main, body").first).to_contain_text(f"any time on {monday:%A} {monday.day} {monday:%B}")
    assert_accessible(page)
    if size == "phone":
        assert_no_horizontal_scroll(page)

    in_thread(cancel, booked[1])
    page.goto(claim_link(demo_site, "ana@example.com"))
    expect(page.get_by_role("heading", name="A place is free for you")).to_be_visible()
    local = ny(monday, 9, 30).astimezone(ZoneInfo(CLIENT_ZONE))  # 13:30 or 14:30 by the two countries' DST
    expect(page.locator("dl.wb-summary")).to_contain_text(f"{local.day} {local:%B %Y, %H:%M} ({CLIENT_ZONE})")
    assert_accessible(page)
    if size == "phone":
        assert_no_horizontal_scroll(page)
    screenshot(page, f"waitlist-claim-{size}.png")
    page.get_by_role("button", name="Claim this place").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    assert_accessible(page)
    page.goto(claim_link(demo_site, "ana@example.com"))  # the same link again: used
    expect(page.get_by_role("heading", name="This place is already yours")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"waitlist-used-{size}.png")
    context.close()
