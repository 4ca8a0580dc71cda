"""The Calendar sync admin in headless Chromium: connecting two test (dummy) calendar accounts for a provider,
their busy time blocking, choosing the calendar that receives bookings, at desktop and phone widths."""

import re

import pytest

from .axe import assert_accessible
from .support import ARTIFACTS, BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, expect, in_thread, watch

pytest.importorskip("playwright")
pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]

ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "booking-sandbox"
SHOTS = ARTIFACTS / "calendar-sync"


def signed_in(browser, demo_site, **context):
    page = browser.new_context(**context).new_page()
    page.goto(demo_site + "/admin/login/")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    return page


def _maya():
    from wagtail_booking.snippets.models import Provider

    return Provider.objects.get(name="Dr. Maya Chen").pk


def _calendars():
    from wagtail_booking.sync.models import ConnectedCalendar

    return [(c.connection.account, c.name, c.busy, c.receives_bookings)
            for c in ConnectedCalendar.objects.select_related("connection").order_by("pk")]


def connect(page, demo_site, maya, account, calendars):
    page.goto(f"{demo_site}/admin/booking/calendar-sync/{maya}/")
    page.get_by_role("button", name="Connect Test calendar").click()
    page.get_by_label("Account name").fill(account)
    page.get_by_label("Calendars").select_option(label=calendars)
    with page.expect_navigation():
        page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_text("Test calendar connected")).to_be_visible()


def test_connect_two_accounts_and_choose_the_booking_calendar(browser, demo_site):
    SHOTS.mkdir(parents=True, exist_ok=True)
    maya = in_thread(_maya)
    page = signed_in(browser, demo_site, viewport={"width": 1280, "height": 1400})
    problems = watch(page, demo_site, console=False)

    connect(page, demo_site, maya, "maya@work.example", "Two calendars")
    connect(page, demo_site, maya, "maya@home.example", "One calendar")

    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("maya@work.example")
    expect(rows.first).to_contain_text("(America/New_York)")  # the last sync carries its zone
    assert in_thread(_calendars) == [("maya@work.example", "maya@work.example", True, True),
                                     ("maya@work.example", "Team", False, False),
                                     ("maya@home.example", "maya@home.example", True, False)]

    page.get_by_role("radio", name="maya@home.example — Test calendar").check()
    page.get_by_role("checkbox", name="Team — Test calendar, maya@work.example").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Calendar choice saved")).to_be_visible()
    assert in_thread(_calendars) == [("maya@work.example", "maya@work.example", True, False),
                                     ("maya@work.example", "Team", True, False),
                                     ("maya@home.example", "maya@home.example", True, True)]
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "provider-1280.png"), full_page=True)

    page.goto(f"{demo_site}/admin/booking/calendar-sync/")
    expect(page.get_by_text("maya@home.example").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "index-1280.png"), full_page=True)

    phone = signed_in(browser, demo_site, **PHONE)
    phone.goto(f"{demo_site}/admin/booking/calendar-sync/{maya}/")
    phone.set_viewport_size({"width": 390, "height": 2400})
    phone.screenshot(path=str(SHOTS / "provider-390.png"), full_page=True)
    assert_no_horizontal_scroll(phone)
    phone.goto(f"{demo_site}/admin/booking/calendar-sync/")
    phone.screenshot(path=str(SHOTS / "index-390.png"), full_page=True)

    # Disconnecting the account that receives bookings: the page says none does now.
    page.goto(f"{demo_site}/admin/booking/calendar-sync/{maya}/")
    page.locator("table.listing tbody tr", has_text="maya@home.example").get_by_role("button",
                                                                                    name="Disconnect").click()
    expect(page.get_by_text("Bookings are no longer written to any calendar").first).to_be_visible()
    expect(page.locator("table.listing tbody tr")).to_have_count(1)
    assert not problems, problems
