"""The admin calendar in headless Chromium: a week with a booking, busy time and time off; adding a booking
from a free time; moving a booking by drag (and a refused drag that snaps back and says why)."""

import re
from datetime import timedelta

import pytest

from tests.helpers import next_monday, ny

from .axe import assert_accessible
from .support import ARTIFACTS, BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, expect, in_thread, watch

pytest.importorskip("playwright")
pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]

ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "booking-sandbox"
SHOTS = ARTIFACTS / "admin-calendar"


@pytest.fixture
def week(demo_site):
    """Dr. Maya Chen's week in the demo business (New York): a booking on Monday at 10:00, a Google Calendar
    event on Monday at 14:00, and Wednesday off."""
    from wagtail_booking.bookings import services
    from wagtail_booking.snippets.models import BusyBlock, Provider, Service, TimeOff

    monday = next_monday()
    maya = Provider.objects.get(name="Dr. Maya Chen")
    consultation = Service.objects.get(name="Free consultation")
    booking = services.create_by_staff(consultation, maya, ny(monday, 10), services.ClientDetails(
        "Zoe Quill", "zoe@example.com", "America/New_York"))
    BusyBlock.objects.create(provider=maya, title="Dentist", starts_at=ny(monday, 14), ends_at=ny(monday, 15),
                             source="google", external_id="evt-dentist")
    wednesday = monday + timedelta(days=2)
    TimeOff.objects.create(provider=maya, starts_at=ny(wednesday, 9), ends_at=ny(wednesday, 17), reason="Conference")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {"monday": monday, "maya": maya, "consultation": consultation, "booking": booking}


def signed_in(browser, demo_site, **context):
    page = browser.new_context(**context).new_page()
    page.goto(demo_site + "/admin/login/")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    return page


def open_calendar(page, demo_site, week, view="week", day=None):
    day = day or week["monday"]
    page.goto(f"{demo_site}/admin/booking/calendar/?view={view}&date={day.isoformat()}&provider={week['maya'].pk}")
    expect(page.locator(".fc-event").first).to_be_visible()


def slot_point(page, day, clock):
    """Where a click lands on ``day`` at ``clock`` (HH:MM) in the time grid."""
    column = page.locator(f"td.fc-timegrid-col[data-date='{day.isoformat()}']").bounding_box()
    lane = page.locator(f"td.fc-timegrid-slot-lane[data-time='{clock}:00']").bounding_box()
    return column["x"] + column["width"] / 2, lane["y"] + lane["height"] / 2


def test_week_view_shows_a_booking_busy_time_and_time_off(week, browser, demo_site):
    page = signed_in(browser, demo_site, viewport={"width": 1280, "height": 1400})
    problems = watch(page, demo_site, console=False)
    open_calendar(page, demo_site, week)
    expect(page.get_by_role("heading", name=re.compile(r"times in America\/New_York"))).to_be_visible()
    booking = page.locator(".fc-event", has_text="Zoe Quill")
    expect(booking).to_contain_text("Confirmed")
    expect(booking).to_contain_text("10:00")
    expect(booking).to_have_attribute("href", f"/admin/bookings/inspect/{week['booking'].pk}/")
    expect(page.locator(".fc-event", has_text="Dentist")).to_contain_text("Busy (Google)")
    expect(page.locator(".fc-event", has_text="Conference")).to_contain_text("Time off")
    # The Wednesday column holds the time off; the Monday column the booking and the busy time.
    wednesday = page.locator(f"td.fc-timegrid-col[data-date='{(week['monday'] + timedelta(days=2)).isoformat()}']")
    expect(wednesday.locator(".fc-event")).to_contain_text("Conference")
    assert_accessible(page)
    page.locator(".wb-cal").screenshot(path=str(SHOTS / "week-1280.png"))
    open_calendar(page, demo_site, week, view="day")
    expect(page.locator(".fc-event", has_text="Zoe Quill")).to_be_visible()
    page.locator(".wb-cal").screenshot(path=str(SHOTS / "day-1280.png"))
    # Clicking the booking opens its page.
    with page.expect_navigation():
        page.locator(".fc-event", has_text="Zoe Quill").click()
    assert page.url.endswith(f"/admin/bookings/inspect/{week['booking'].pk}/")
    assert not problems, problems


def test_calendar_on_a_phone(week, browser, demo_site):
    page = signed_in(browser, demo_site, **PHONE)
    open_calendar(page, demo_site, week)
    # The week is a list of days on a phone, each entry saying what it is in words.
    expect(page.locator(".fc-list-event", has_text="Zoe Quill")).to_contain_text("Confirmed")
    expect(page.locator(".fc-list-event", has_text="Dentist")).to_contain_text("Busy (Google)")
    expect(page.locator(".fc-list-event", has_text="Conference")).to_contain_text("Time off")
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 390, "height": 2000})  # the admin scrolls its main area: show it all
    page.locator(".wb-cal").screenshot(path=str(SHOTS / "week-390.png"))
    open_calendar(page, demo_site, week, view="day")
    expect(page.locator(".fc-timegrid-event", has_text="Zoe Quill")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.locator(".wb-cal").screenshot(path=str(SHOTS / "day-390.png"))
    assert_accessible(page)


def test_add_booking_from_a_free_time(week, browser, demo_site):
    page = signed_in(browser, demo_site, viewport={"width": 1280, "height": 1900})
    problems = watch(page, demo_site, console=False)
    open_calendar(page, demo_site, week)
    tuesday = week["monday"] + timedelta(days=1)
    with page.expect_navigation():
        page.mouse.click(*slot_point(page, tuesday, "11:00"))
    assert "/admin/bookings/new/" in page.url
    page.get_by_label("Service").select_option(label="Free consultation")
    eleven = page.get_by_role("radio", name="11:00", exact=True)
    expect(eleven).to_be_checked()  # the clicked time, among the day's free times from the slot engine
    expect(page.get_by_role("radio", name="10:00", exact=True)).to_be_visible()
    expect(page.get_by_role("group", name=re.compile("Free times on Tuesday"))).to_be_visible()
    page.get_by_label("Client name").fill("Walk In")
    page.get_by_label("Client email").fill("walkin@example.com")
    page.screenshot(path=str(SHOTS / "add-booking-1280.png"), full_page=True)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Create").click()
    expect(page.get_by_text(re.compile("created"))).to_be_visible()

    def booked():
        from wagtail_booking.bookings.models import Booking

        row = Booking.objects.get(client_name="Walk In")
        return row.start, row.provider_id, row.status

    assert in_thread(booked) == (ny(tuesday, 11), week["maya"].pk, "confirmed")
    assert not problems, problems


def drag(page, source, target):
    box = source.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 8)
    page.mouse.down()
    x, y = target  # the grab point is 8 px below the event's top, so aim as far below the slot's middle
    page.mouse.move(x, y, steps=15)
    page.mouse.up()


def test_move_a_booking_by_drag_and_a_refused_move_snaps_back(week, browser, demo_site):
    # Tall enough for the whole day's grid: the mouse drags only within the viewport.
    page = signed_in(browser, demo_site, viewport={"width": 1280, "height": 1900})
    problems = watch(page, demo_site, console=False)
    open_calendar(page, demo_site, week)
    event = page.locator(".fc-event", has_text="Zoe Quill")
    tuesday = week["monday"] + timedelta(days=1)
    # Onto Monday 14:00, where Google says Maya is at the dentist: refused, and back at 10:00.
    drag(page, event, slot_point(page, week["monday"], "14:00"))
    expect(page.locator("#wb-cal-status")).to_contain_text("Not moved: Sorry, that time is no longer available.")
    expect(page.locator(".fc-event", has_text="Zoe Quill")).to_contain_text("10:00")

    def start():
        from wagtail_booking.bookings.models import Booking

        return Booking.objects.get(pk=week["booking"].pk).start

    assert in_thread(start) == ny(week["monday"], 10)
    # Onto Tuesday 11:00, a free time: moved, and the client is told.
    drag(page, page.locator(".fc-event", has_text="Zoe Quill"), slot_point(page, tuesday, "11:00"))
    expect(page.locator("#wb-cal-status")).to_contain_text("moved to")
    moved = page.locator(f"td.fc-timegrid-col[data-date='{tuesday.isoformat()}'] .fc-event", has_text="Zoe Quill")
    expect(moved).to_contain_text("11:00")
    assert in_thread(start) == ny(tuesday, 11)
    page.get_by_text("These days as a list").click()  # the list under the calendar follows the move
    expect(page.locator(".wb-cal-item", has_text="Zoe Quill")).to_contain_text("11:00–11:30")

    def told():
        from django.core import mail

        return [m.subject for m in mail.outbox if m.to == ["zoe@example.com"]]

    assert any(subject.startswith("Your booking was moved") for subject in in_thread(told))
    page.locator(".wb-cal").screenshot(path=str(SHOTS / "moved-1280.png"))
    refused = f"HTTP 409: {demo_site}/admin/booking/calendar/move/{week['booking'].pk}/"
    assert problems == [refused], problems  # the refused drop, and nothing else


def test_move_a_booking_with_the_keyboard_form(week, browser, demo_site):
    page = signed_in(browser, demo_site, viewport={"width": 1280, "height": 900})
    open_calendar(page, demo_site, week)
    page.get_by_text("These days as a list").click()
    page.get_by_role("link", name="Move Zoe Quill · Free consultation").click()
    tuesday = week["monday"] + timedelta(days=1)
    page.get_by_label("Day").fill(tuesday.isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.get_by_role("radio", name="13:30", exact=True).check()
    page.screenshot(path=str(SHOTS / "move-form-1280.png"), full_page=True)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Move booking").click()
    expect(page.get_by_text(re.compile("moved to .*The client has been told"))).to_be_visible()
    expect(page.locator(".fc-event", has_text="Zoe Quill")).to_contain_text("13:30")

