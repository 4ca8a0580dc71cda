"""The time picker in headless Chromium: the month calendar with JavaScript, the plain form without it.

The demo home page's block lets the client choose a provider (Dr. Maya Chen or Sam Okafor, same hours) for the
free consultation. With JavaScript the page shows a month calendar with the first free day chosen, the day's
times grouped into parts of the day, "Next available" on a full day, a provider choice that changes the times
without a request, and a searchable zone list; the visitor books from it. Without JavaScript the day list and
"Show times" still book. Screenshots at 1280 and 390 px go to test-artifacts/.

The wall clock is real, so the tests take whatever days and times the page offers.
"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from .axe import assert_accessible
from .support import (
    BROWSER_MARKS,
    PHONE,
    assert_no_horizontal_scroll,
    booking_summary,
    check_times_are_in,
    field,
    in_thread,
    offered_times,
    pick_index,
    screenshot,
    watch,
)

CLIENT_ZONE = "Europe/London"
PROVIDER_ZONE = "America/New_York"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect


def fill_details(page, name, email):
    field(page, "textbox", "Your name").fill(name)
    field(page, "textbox", "Email").fill(email)
    field(page, "textbox", "What would you like to discuss?").fill("Picker test")
    field(page, "checkbox", "I agree to the privacy policy").check()


def book_maya_first_free_time():
    """Maya's first free time goes to someone else, so "any available" still offers it (Sam) and she does not."""
    from django.utils import timezone

    from wagtail_booking.bookings import services
    from wagtail_booking.bookings.availability import available_slots
    from wagtail_booking.snippets.models import Provider, Service

    service = Service.objects.get(name="Free consultation")
    maya = Provider.objects.get(name="Dr. Maya Chen")
    now = timezone.now()
    slot = available_slots(service, now + timedelta(hours=2), now + timedelta(days=20), [maya.pk])[0]
    services.create_hold(service, slot.start, services.ClientDetails(
        name="Earlier Client", email="earlier@example.com", timezone=CLIENT_ZONE), maya)
    return slot.start


def calendar(page):
    return page.locator(".wb-calendar")


def chosen_day(page):
    return calendar(page).locator(".wb-day[aria-pressed=true]")


def test_calendar_picker_with_javascript(browser, demo_site):
    taken = in_thread(book_maya_first_free_time)
    context = browser.new_context(**PHONE, timezone_id=CLIENT_ZONE, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch(page, demo_site)
    page.goto(demo_site + "/")
    page.wait_for_url(re.compile(r"[?&]booking_tz=Europe%2FLondon"))

    # The calendar replaces the day list; the first free day is chosen and its times are shown, grouped.
    expect(calendar(page)).to_be_visible()
    expect(field(page, "combobox", "Day")).to_be_hidden()
    expect(page.get_by_role("button", name="Show times")).to_be_hidden()
    first_free = calendar(page).locator(".wb-day.wb-free").first
    expect(chosen_day(page)).to_have_count(1)
    assert chosen_day(page).get_attribute("data-day") == first_free.get_attribute("data-day")
    expect(chosen_day(page)).to_have_attribute("aria-label", re.compile(r", free times$"))
    times = offered_times(page)
    check_times_are_in(times, CLIENT_ZONE)
    day = chosen_day(page).get_attribute("data-day")
    assert {start.astimezone(ZoneInfo(CLIENT_ZONE)).date().isoformat() for _r, _n, start in times} == {day}
    # 09:00-17:00 in New York is the afternoon and evening in London.
    groups = page.locator(".wb-period").evaluate_all("els => els.map(e => e.querySelector('h3').innerText)")
    assert groups and set(groups) <= {"Afternoon", "Evening"}, groups
    for _radio, name, _start in times:
        hour = int(name[:2])
        group = "Evening" if hour >= 17 else "Afternoon" if hour >= 12 else "Morning"
        expect(page.get_by_role("group", name=group).get_by_role("radio", name=name, exact=True)).to_have_count(1)
    assert_no_horizontal_scroll(page)
    assert_accessible(page)  # the calendar, the grouped times and the searchable zone list the script drew
    screenshot(page, "picker-js-phone.png")

    # Keyboard: arrows move through the days, each chosen as it gets focus.
    chosen_day(page).focus()
    page.keyboard.press("ArrowRight")
    expect(chosen_day(page)).to_be_focused()
    assert chosen_day(page).get_attribute("data-day") > day

    # A day without free times says so and offers the next free day.
    full = calendar(page).locator(".wb-day:not(.wb-free):not([disabled])").first
    full_day = full.get_attribute("data-day")
    full.click()
    expect(page.locator(".wb-times")).to_contain_text("No free times on")
    jump = page.get_by_role("button", name=re.compile(r"^Next available: \w{3} \d{1,2} \w{3}$"))
    expect(jump).to_be_visible()
    jump.click()
    assert chosen_day(page).get_attribute("data-day") > full_day
    expect(chosen_day(page)).to_be_focused()
    check_times_are_in(offered_times(page), CLIENT_ZONE)

    # Provider choice: Maya's first free time was taken, so it is offered with "any" (Sam) but not with her.
    first_day_button = calendar(page).locator(f"[data-day='{taken.astimezone(ZoneInfo(CLIENT_ZONE)).date()}']")
    label = taken.astimezone(ZoneInfo(CLIENT_ZONE)).strftime("%H:%M")
    with_select = field(page, "combobox", "With")
    expect(with_select.locator("option")).to_have_text(["Any available", "Dr. Maya Chen", "Sam Okafor"])
    first_day_button.click()
    expect(page.get_by_role("radio", name=label, exact=True)).to_have_count(1)
    with_select.select_option(label="Dr. Maya Chen")
    expect(page.get_by_role("radio", name=label, exact=True)).to_have_count(0)
    with_select.select_option(label="Sam Okafor")
    expect(page.get_by_role("radio", name=label, exact=True)).to_have_count(1)
    with_select.select_option(label="Dr. Maya Chen")

    # Zone search: canonical names with their offset and city; the times follow the zone without a reload.
    zones = field(page, "combobox", "Show times in")
    assert zones.locator("option[value='US/Eastern'], option[value='Asia/Calcutta']").count() == 0
    expect(zones.locator("option").first).to_have_attribute("value", CLIENT_ZONE)  # the detected zone first
    field(page, "searchbox", "Search time zones").fill("tokyo")
    expect(page.get_by_text("1 time zone matches")).to_be_visible()
    visible = zones.locator("option").evaluate_all("els => els.filter(o => !o.hidden).map(o => o.textContent)")
    assert visible == ["(UTC+09:00) Tokyo, Asia"], visible
    zones.select_option("Asia/Tokyo")
    legend = page.get_by_role("group", name=re.compile(r"^Time on "))
    expect(legend).to_contain_text("(Asia/Tokyo)")
    calendar(page).locator(".wb-day.wb-free").nth(1).click()  # the chosen day may be a Tokyo day with no times
    times = offered_times(page)
    check_times_are_in(times, "Asia/Tokyo")
    assert page.locator("input[name=timezone]").input_value() == "Asia/Tokyo"
    assert_no_horizontal_scroll(page)

    radio, time_label, start = times[pick_index(times)]
    radio.check()
    fill_details(page, "Jo Calendar", "jo.calendar@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Book now").click()
    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    summary = booking_summary(page)
    assert summary["With"] == "Dr. Maya Chen", summary
    assert time_label in summary["When"] and "(Asia/Tokyo)" in summary["When"], summary
    assert start.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%A %-d %B %Y") in summary["When"], summary
    assert problems == [], "\n".join(problems)

    desktop = browser.new_context(**DESKTOP, timezone_id=CLIENT_ZONE, locale="en-GB")
    wide = desktop.new_page()
    wide.goto(demo_site + "/?booking_tz=Europe%2FLondon")
    expect(calendar(wide)).to_be_visible()
    screenshot(wide, "picker-js-desktop.png")
    desktop.close()
    context.close()


def test_picker_without_javascript_still_books(browser, demo_site):
    context = browser.new_context(**PHONE, timezone_id=CLIENT_ZONE, locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch(page, demo_site)
    page.goto(demo_site + "/")
    expect(calendar(page)).to_be_hidden()
    day = field(page, "combobox", "Day")
    expect(day).to_be_visible()
    expect(field(page, "combobox", "With")).to_have_value("")
    # Times are grouped without the script too.
    expect(page.get_by_role("group", name="Afternoon")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "picker-nojs-phone.png")

    # A full day asked for by address: the page names the next free day and links to it.
    days = day.locator("option").evaluate_all("els => els.map(o => o.value)")
    gap = next(d for d, following in zip(days, days[1:], strict=False)
               if (_date(following) - _date(d)).days > 1)
    full = (_date(gap) + timedelta(days=1)).isoformat()
    service = page.locator("input[name=booking_service]").first.input_value()
    page.goto(f"{demo_site}/?booking_service={service}&booking_tz=America%2FNew_York&booking_date={full}")
    expect(page.locator(".wb-times")).to_contain_text("No free times on")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Next available: ")).click()
    assert re.search(r"booking_date=(\d{4}-\d\d-\d\d)", page.url).group(1) > full
    expect(day).to_have_value(re.compile(r"\d{4}-\d\d-\d\d"))

    # Another day, a provider and the zone chosen with "Show times", then a time, the details and "Book now".
    day.select_option(days[1])
    field(page, "combobox", "With").select_option(label="Sam Okafor")
    field(page, "combobox", "Show times in").select_option(CLIENT_ZONE)
    with page.expect_navigation():
        page.get_by_role("button", name="Show times").click()
    expect(day).to_have_value(days[1])
    times = offered_times(page)
    check_times_are_in(times, CLIENT_ZONE)
    radio, time_label, start = times[pick_index(times)]
    radio.check()
    fill_details(page, "Pat Plain", "pat.plain@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Book now").click()
    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    summary = booking_summary(page)
    assert summary["With"] == "Sam Okafor", summary
    assert time_label in summary["When"] and f"({CLIENT_ZONE})" in summary["When"], summary
    assert problems == [], "\n".join(problems)

    desktop = browser.new_context(**DESKTOP, timezone_id=CLIENT_ZONE, locale="en-GB", java_script_enabled=False)
    wide = desktop.new_page()
    wide.goto(demo_site + "/")
    screenshot(wide, "picker-nojs-desktop.png")
    desktop.close()
    context.close()


def _date(text):
    from datetime import date

    return date.fromisoformat(text)
