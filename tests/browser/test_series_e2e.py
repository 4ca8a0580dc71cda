"""Booking a weekly series in headless Chromium: one date is taken, another falls on a closed day.

The demo's free consultation is opened to series for the test; Dr. Maya Chen's time one week after the chosen
start is booked by someone else, and she is away two weeks after it. The client asks for 4 weekly appointments,
reviews them (each date in their zone, the conflicts with the same day's free times), picks another time for the
taken date, leaves out the closed one and books; then cancels the series from its manage page. At 1280 and 390 px
with JavaScript (axe on the review, confirmation and manage pages), and at 390 px without it. Screenshots go to
test-artifacts/.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .axe import assert_accessible
from .support import BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, field, in_thread, screenshot, watch

CLIENT_ZONE = "Europe/London"
NEW_YORK = ZoneInfo("America/New_York")  # Dr. Maya Chen's zone
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect


def weeks_later(start, weeks, zone):
    """The same wall-clock time ``weeks`` weeks later in ``zone`` (not the same UTC time: DST may fall between)."""
    local = start.astimezone(zone)
    return datetime.combine(local.date() + timedelta(weeks=weeks), local.time(), tzinfo=zone)


def prepare_conflicts():
    """Series allowed; Maya's 10:00 on a weekday a few days ahead is the first start, the same time a week later
    is taken, and she is closed two weeks later. Returns (first start, Maya's id, service id)."""
    from django.utils import timezone

    from wagtail_booking.bookings import services
    from wagtail_booking.bookings.availability import available_slots
    from wagtail_booking.snippets.models import DateOverride, Provider, Service

    service = Service.objects.get(name="Free consultation")
    service.allow_series = True
    service.save()
    maya = Provider.objects.get(name="Dr. Maya Chen")
    zone = ZoneInfo(maya.timezone)
    now = timezone.now()
    first = next(slot.start for slot in available_slots(service, now + timedelta(days=2), now + timedelta(days=9),
                                                          [maya.pk])
                 if slot.start.astimezone(zone).hour == 10 and slot.start.astimezone(zone).weekday() < 5)
    services.create_by_staff(service, maya, weeks_later(first, 1, zone), services.ClientDetails(
        name="Other Client", email="other@example.com", timezone=CLIENT_ZONE))
    away = weeks_later(first, 2, zone).date()
    DateOverride.objects.create(provider=maya, date=away, closed=True)
    return first, maya.pk, service.pk


def series_of(email):
    from wagtail_booking.bookings.models import Booking

    return [(row.start, row.status, row.series_id) for row in
            Booking.objects.filter(client_email=email).order_by("start")]


@pytest.mark.parametrize(("layout", "javascript"), [("desktop", True), ("phone", True), ("phone", False)])
def test_series_with_a_taken_date_and_a_closed_day(browser, demo_site, layout, javascript):
    first, maya_id, service_id = in_thread(prepare_conflicts)
    london = ZoneInfo(CLIENT_ZONE)
    if layout == "desktop":
        context = browser.new_context(**DESKTOP, timezone_id=CLIENT_ZONE, locale="en-GB")
    else:
        context = browser.new_context(**PHONE, timezone_id=CLIENT_ZONE, locale="en-GB",
                                      java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch(page, demo_site)
    day = first.astimezone(london).date().isoformat()
    page.goto(f"{demo_site}/?booking_service={service_id}&booking_tz=Europe%2FLondon&booking_date={day}"
              f"&booking_provider={maya_id}")
    page.locator(f'input[name=slot][value^="{first.isoformat()}"]').check()

    repeat = page.get_by_role("group", name="Repeat")
    field(repeat, "combobox", "How often").select_option(label="Every week")
    expect(field(repeat, "spinbutton", "Number of appointments")).to_have_value("4")
    field(page, "textbox", "Your name").fill("Series Client")
    field(page, "textbox", "Email").fill("series@example.com")
    field(page, "textbox", "What would you like to discuss?").fill("Weekly coaching")
    field(page, "checkbox", "I agree to the privacy policy").check()
    screenshot(page, f"series-picker-{layout}{'' if javascript else '-nojs'}.png")
    page.get_by_role("button", name="Book now").click()

    # The review: every date in the client's zone, named; nothing is booked yet.
    expect(page.get_by_role("heading", name="Review your Free consultation series")).to_be_visible()
    dates = page.locator(".wb-series-dates > li")
    expect(dates).to_have_count(4)
    for index in range(4):
        local = weeks_later(first, index, NEW_YORK).astimezone(london)
        expect(dates.nth(index)).to_contain_text(f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}")
        expect(dates.nth(index)).to_contain_text("(Europe/London)")
    taken = page.get_by_role("group", name=re.compile("Already booked at that time"))
    closed = page.get_by_role("group", name=re.compile("Closed that day"))
    expect(closed).to_contain_text("No other time is free that day.")
    assert in_thread(series_of, "series@example.com") == []
    alternative = taken.get_by_role("radio").first
    alternative_start = alternative.get_attribute("value")
    alternative.check()
    expect(field(page, "radio", "Book the other dates and leave it out")).to_be_checked()
    if layout == "phone":
        assert_no_horizontal_scroll(page)
    if javascript:  # axe-core runs in the page
        assert_accessible(page)
    screenshot(page, f"series-review-{layout}{'' if javascript else '-nojs'}.png")
    page.get_by_role("button", name="Book the series").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_role("heading", name="Your series: 3 appointments")).to_be_visible()
    if javascript:
        assert_accessible(page)
    screenshot(page, f"series-booked-{layout}{'' if javascript else '-nojs'}.png")
    booked = in_thread(series_of, "series@example.com")
    assert [start for start, _status, _series in booked] == [
        first, datetime.fromisoformat(alternative_start), weeks_later(first, 3, NEW_YORK)]
    assert {status for _start, status, _series in booked} == {"confirmed"}
    assert len({series for _start, _status, series in booked}) == 1

    # The manage page of the first: the series, and "this and all later" asked once more before it happens.
    page.get_by_role("link", name="Change or cancel this booking").click()
    expect(page.get_by_role("heading", name="Your series: 3 appointments")).to_be_visible()
    page.get_by_role("button", name="Cancel this and all later appointments of the series").click()
    expect(page.get_by_role("heading", name="Cancel this appointment and the 2 later ones of the series?")
           ).to_be_visible()
    if javascript:
        assert_accessible(page)
    screenshot(page, f"series-manage-{layout}{'' if javascript else '-nojs'}.png")
    page.get_by_role("button", name="Yes, cancel these appointments").click()
    expect(page.get_by_role("status")).to_contain_text("later ones of the series are cancelled")
    assert {status for _start, status, _series in in_thread(series_of, "series@example.com")} == {"cancelled"}
    assert problems == []
    context.close()
