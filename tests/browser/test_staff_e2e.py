"""Staff side in a real browser: the request email's links lead to a confirmation, and the dashboard's panels."""

import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from .axe import assert_accessible
from .support import BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, expect, in_thread, screenshot, watch

pytest.importorskip("playwright")
pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]
NY = ZoneInfo("America/New_York")
SHOTS = Path(os.environ.get("WAGTAIL_BOOKING_SHOTS", "")) if os.environ.get("WAGTAIL_BOOKING_SHOTS") else None
PASSWORD = "booking-sandbox"


def shot(page, name):
    path = screenshot(page, f"staff-{name}.png")
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return path


@pytest.fixture
def day(demo_site, django_capture_on_commit_callbacks, settings):
    """Today in the business: Ann's confirmed appointment, Bo's request waiting, a text that failed."""
    settings.WAGTAILADMIN_BASE_URL = demo_site  # where the emails' admin links point
    from wagtail_booking.bookings import services
    from wagtail_booking.notifications.models import SmsMessage
    from wagtail_booking.snippets.models import Service

    today = datetime.now(NY).date()
    consultation = Service.objects.get(name="Free consultation")
    assessment = Service.objects.get(name="Initial assessment")
    consultation.minimum_notice_minutes = assessment.minimum_notice_minutes = 0
    consultation.save()
    assessment.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ann = services.create_by_staff(consultation, consultation.providers.get(name="Dr. Maya Chen"),
                                       datetime.combine(today, time(16), tzinfo=NY),
                                       services.ClientDetails("Ann Lee", "ann@example.com", "America/New_York"))
        bo = services.create_hold(assessment, datetime.combine(today + timedelta(days=1), time(10), tzinfo=NY),
                                  services.ClientDetails("Bo Reyes", "bo@example.com", "America/Chicago"))
    from wagtail_booking.notifications.agenda import send_agenda

    send_agenda(ann.provider, today)
    SmsMessage.objects.create(booking=ann, kind="reminder", to="+12125550100", body="Reminder", status="failed",
                              error_message="Unreachable")
    return {"ann": ann, "bo": bo, "emails": list(mail.outbox)}


def test_the_daily_agenda_reads_well(day, browser):
    [email] = [m for m in day["emails"] if m.subject.startswith("Your agenda for")]
    for name, options in [("desktop", {"viewport": {"width": 1280, "height": 700}}), ("phone", PHONE)]:
        page = browser.new_context(**options).new_page()
        page.set_content(email.alternatives[0][0])
        expect(page.get_by_role("row", name=re.compile("16:00.16:30 Free consultation Ann Lee"))).to_be_visible()
        expect(page.get_by_text("Times in America/New_York.")).to_be_visible()
        assert_accessible(page)
        shot(page, f"email-agenda-{name}")
        if name == "phone":
            assert_no_horizontal_scroll(page)
        page.context.close()


def sign_in(page, origin):
    page.goto(f"{origin}/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in")).click()
    expect(page.get_by_role("heading", name=re.compile("Today's appointments"))).to_be_visible()


def test_the_request_email_reads_well_and_its_link_asks_before_approving(day, browser, demo_site):
    [email] = [m for m in day["emails"] if m.to == ["owner@harbour.example"]
               and m.subject.startswith("Request awaiting approval")]
    html = email.alternatives[0][0]
    for name, options in [("desktop", {"viewport": {"width": 1280, "height": 900}}), ("phone", PHONE)]:
        page = browser.new_context(**options).new_page()
        page.set_content(html)
        expect(page.get_by_text("Bo Reyes asked for an appointment.")).to_be_visible()
        expect(page.get_by_role("link", name="Approve")).to_be_visible()
        expect(page.get_by_role("row", name=re.compile(r"When .*10:00 \(America.New_York\)"))).to_be_visible()
        assert_accessible(page)
        shot(page, f"email-request-{name}")
        if name == "phone":
            assert_no_horizontal_scroll(page)
        page.context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = watch(page, demo_site, console=False)
    sign_in(page, demo_site)
    page.set_content(html)
    page.get_by_role("link", name="Approve").click()
    expect(page.get_by_role("button", name="Yes: Approve")).to_be_visible()
    expect(page.get_by_text("The booking is confirmed and the client is told by email.")).to_be_visible()
    shot(page, "review-approve-desktop")
    assert in_thread(lambda: type(day["bo"]).objects.get(pk=day["bo"].pk).status) == "requested"
    page.get_by_role("button", name="Yes: Approve").click()
    expect(page.get_by_text(re.compile(f"Booking {day['bo'].reference} approved"))).to_be_visible()
    assert in_thread(lambda: type(day["bo"]).objects.get(pk=day["bo"].pk).status) == "confirmed"
    assert not problems, problems
    context.close()


def test_the_dashboard_shows_the_day_the_requests_the_week_and_what_needs_attention(day, browser, demo_site):
    for name, options in [("desktop", {"viewport": {"width": 1280, "height": 1500}}), ("phone", PHONE)]:
        context = browser.new_context(**options)
        page = context.new_page()
        problems = watch(page, demo_site, console=False)
        sign_in(page, demo_site)
        today = page.locator("#wb-today-section")
        expect(today.get_by_role("link", name="Ann Lee")).to_be_visible()
        # The superuser sees both demo businesses, New York and London: each time names its zone.
        expect(today.get_by_text("16:00 (America/New_York)")).to_be_visible()
        requests = page.locator("#wb-requests-section")
        expect(requests.get_by_text("1 request waits for a decision.")).to_be_visible()
        expect(requests.get_by_role("link", name="Bo Reyes")).to_be_visible()
        revenue = page.locator("#wb-revenue-section")
        expect(revenue.get_by_role("link", name="Revenue report for this week")).to_be_visible()
        attention = page.locator("#wb-problems-section")
        expect(attention.get_by_role("link", name=re.compile("1 text message failed"))).to_be_visible()
        for panel in ("#wb-today-section", "#wb-requests-section", "#wb-revenue-section", "#wb-problems-section"):
            assert_accessible(page, panel)
        shot(page, f"dashboard-{name}")
        if name == "phone":
            assert_no_horizontal_scroll(page)
        requests.get_by_role("link", name="Bo Reyes").click()
        expect(page).to_have_url(re.compile(rf"/admin/bookings/inspect/{day['bo'].pk}/$"))
        assert not problems, problems
        context.close()


def test_a_provider_chooses_her_notifications_on_her_page(day, browser, demo_site):
    maya = day["ann"].provider
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = watch(page, demo_site, console=False)
    sign_in(page, demo_site)
    page.goto(f"{demo_site}/admin/snippets/wagtail_booking/provider/edit/{maya.pk}/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Notifications")).last
    expect(panel.get_by_role("checkbox", name="New booking")).to_be_checked()
    expect(panel.get_by_role("checkbox", name="Payment failure")).not_to_be_checked()
    panel.get_by_role("checkbox", name="Cancellation").uncheck()
    panel.get_by_label("Daily agenda at").select_option(label="06:00")
    panel.scroll_into_view_if_needed()
    shot(page, "provider-notifications-desktop")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text(re.compile("updated"))).to_be_visible()
    saved = in_thread(lambda: type(maya).objects.values("notify_events", "agenda_hour").get(pk=maya.pk))
    assert saved == {"notify_events": "booked,requested,rescheduled", "agenda_hour": 6}
    assert not problems, problems
    context.close()
