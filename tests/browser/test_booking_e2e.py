"""Book the demo site's free consultation the way a person would, in headless Chromium on a phone.

The sandbox's demo data (``load_demo``) is loaded into the test database and served by pytest-django's
``live_server``. A client in London opens the home page on a phone, picks the first offered day and a time,
answers the intake questions and books; then a member of staff signs in to the Wagtail admin, finds the
booking in the Bookings listing and reads the intake answers. A second test books with JavaScript turned off
(server-rendered forms, including the form-error page); a third checks that the error page is not reloaded
by the script. Screenshots go to test-artifacts/ (git-ignored).

The wall clock is real, so the tests take whatever days and times the page offers.
"""

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from .support import (
    BROWSER_MARKS,
    PHONE,
    assert_no_horizontal_scroll,
    booking_summary,
    check_times_are_in,
    field,
    offered_times,
    pick_index,
    screenshot,
    watch,
)

CLIENT_ZONE = "Europe/London"
PROVIDER_ZONE = "America/New_York"  # the demo providers' zone, and the site's TIME_ZONE
SERVICE = "Free consultation"
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "booking-sandbox"

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect


# --- helpers --------------------------------------------------------------------------------------------------


def choose_time_with_keyboard(page, times, index):
    """Tab from the calendar's chosen day into the radio group, then arrow keys (or Space) like a keyboard user."""
    page.locator(".wb-calendar .wb-day[aria-pressed=true]").focus()
    page.keyboard.press("Tab")
    expect(times[0][0]).to_be_focused()
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowRight")
    radio, name, start = times[index]
    expect(radio).to_be_focused()
    expect(radio).to_be_checked()
    return name, start


def fill_details(page, name, email, discuss):
    for role, label, required in [("textbox", "Your name", True), ("textbox", "Email", True),
                                  ("textbox", "Phone (optional)", False),
                                  ("textbox", "What would you like to discuss?", True),
                                  ("combobox", "How did you hear about us?", False),
                                  ("checkbox", "I agree to the privacy policy", True)]:
        control = field(page, role, label)
        expect(control).to_be_visible()
        assert control.evaluate("el => el.required") is required, f"{label!r} required should be {required}"
    field(page, "textbox", "Your name").fill(name)
    field(page, "textbox", "Email").fill(email)
    field(page, "textbox", "What would you like to discuss?").fill(discuss)
    field(page, "combobox", "How did you hear about us?").select_option(label="Friend")
    consent = field(page, "checkbox", "I agree to the privacy policy")
    consent.focus()
    page.keyboard.press("Space")
    expect(consent).to_be_checked()


# --- tests ----------------------------------------------------------------------------------------------------


def test_book_free_consultation_on_a_phone_then_find_it_in_the_admin(browser, demo_site):
    client = browser.new_context(**PHONE, timezone_id=CLIENT_ZONE, locale="en-GB")
    client.set_default_timeout(15_000)
    page = client.new_page()
    problems = watch(page, demo_site)

    # The home page loads, and the script reloads it once to show times in the browser's zone.
    page.goto(demo_site + "/")
    page.wait_for_url(re.compile(r"[?&]booking_tz=Europe%2FLondon"))
    expect(page.get_by_role("heading", name="Book a free consultation")).to_be_visible()
    expect(field(page, "combobox", "Show times in")).to_have_value(CLIENT_ZONE)
    assert_no_horizontal_scroll(page)

    # The calendar opens on the first free day; the arrow keys move to the next day with free times.
    chosen = page.locator(".wb-calendar .wb-day[aria-pressed=true]")
    free_days = page.locator(".wb-calendar .wb-day.wb-free")
    expect(chosen).to_have_attribute("data-day", free_days.first.get_attribute("data-day"))
    chosen.focus()
    page.keyboard.press("ArrowRight")
    while "wb-free" not in chosen.get_attribute("class"):
        page.keyboard.press("ArrowRight")
    expect(chosen).to_be_focused()
    first_day_value = chosen.get_attribute("data-day")
    first_day_text = chosen.get_attribute("aria-label").split(",")[0]

    # Times are shown in London time, for that day.
    legend = page.get_by_role("group", name=re.compile(r"^Time on "))
    expect(legend).to_contain_text(f"({CLIENT_ZONE})")
    expect(legend).to_contain_text(first_day_text)  # "Monday 23 November"
    times = offered_times(page)
    check_times_are_in(times, CLIENT_ZONE)
    assert {start.astimezone(ZoneInfo(CLIENT_ZONE)).date().isoformat() for _r, _n, start in times} == {
        first_day_value}
    index = pick_index(times)
    time_label, start = choose_time_with_keyboard(page, times, index)

    fill_details(page, "Alex Browser", "alex.browser@example.com", "Sleep and stress (browser test)")
    book = page.get_by_role("button", name="Book now")
    book.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # "You're booked", with the reference, the time in London time and the zone.
    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    summary = booking_summary(page)
    reference = summary["Reference"]
    assert re.fullmatch(r"[A-Z0-9-]{4,}", reference), summary
    assert summary["Service"] == SERVICE
    assert time_label in summary["When"] and f"({CLIENT_ZONE})" in summary["When"], summary
    assert start.astimezone(ZoneInfo(CLIENT_ZONE)).strftime("%A %-d %B %Y") in summary["When"], summary
    assert summary["Status"] == "Confirmed"
    expect(page.get_by_text("We sent the details to alex.browser@example.com.")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "booked-phone.png")
    assert problems == [], "\n".join(problems)
    client.close()

    # Staff sign in to the admin (on a desktop), find the booking and read the intake answers.
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id=PROVIDER_ZONE)
    staff.set_default_timeout(15_000)
    admin = staff.new_page()
    admin_problems = watch(admin, demo_site, console=False)
    admin.goto(demo_site + "/admin/")
    admin.get_by_label("Username").fill(ADMIN_USERNAME)
    admin.get_by_label("Password").fill(ADMIN_PASSWORD)
    with admin.expect_navigation():
        admin.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    admin.get_by_role("link", name="Bookings", exact=True).click()
    admin.wait_for_url(re.compile(r"/admin/bookings/"))
    admin.get_by_role("textbox", name="Search term").fill(reference)
    admin.wait_for_url(re.compile(rf"[?&]q={reference}"))
    row = admin.get_by_role("row").filter(has_text=reference)
    expect(row).to_have_count(1)
    for text in ("Alex Browser", SERVICE, "Confirmed"):
        expect(row).to_contain_text(text)
    # The reference opens the booking's page (client, intake answers, payments, history).
    with admin.expect_response(re.compile(r"/admin/bookings/inspect/\d+/$")) as opened:
        row.get_by_role("link", name=re.compile(reference)).first.click()
    admin.wait_for_url(re.compile(r"/admin/bookings/inspect/\d+/$"))
    assert opened.value.status == 200, f"the booking's page answered {opened.value.status}"
    expect(admin.get_by_role("heading", name=re.compile(r"^Answers"))).to_be_visible()
    answers = admin.locator("#wb-client ~ dl").last.evaluate(
        "dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(dt => "
        "[dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))")
    assert answers["What would you like to discuss?"] == "Sleep and stress (browser test)", answers
    assert answers["How did you hear about us?"] == "Friend", answers
    expect(admin.get_by_text(reference).first).to_be_visible()
    screenshot(admin, "admin-booking-inspect.png")
    assert admin_problems == [], "\n".join(admin_problems)
    staff.close()


def test_book_without_javascript(browser, demo_site):
    """The server-rendered forms alone, on a phone: a hasty "Book now", the zone picked by hand from the error
    page, a forgotten consent box corrected on the error page, and the booking."""
    client = browser.new_context(**PHONE, timezone_id=CLIENT_ZONE, locale="en-GB", java_script_enabled=False)
    client.set_default_timeout(15_000)
    page = client.new_page()
    problems = watch(page, demo_site)

    page.goto(demo_site + "/")
    expect(page.get_by_role("heading", name="Book a free consultation")).to_be_visible()
    assert page.evaluate("document.documentElement.classList.contains('js')") is False
    # Nothing detects the zone without the script: the site's zone is shown, and the times are in it.
    expect(field(page, "combobox", "Show times in")).to_have_value(PROVIDER_ZONE)
    check_times_are_in(offered_times(page), PROVIDER_ZONE)
    assert_no_horizontal_scroll(page)

    # "Book now" straight away: the server answers with the form again, saying what is missing.
    with page.expect_response(re.compile(r"/booking/book/\d+/$")) as posted:
        page.get_by_role("button", name="Book now").click()
    assert posted.value.status == 400
    expect(page.get_by_text("Choose a time.")).to_be_visible()
    expect(field(page, "textbox", "Your name")).to_have_accessible_description("This field is required.")
    assert_no_horizontal_scroll(page)

    # From there the visitor picks their own zone and asks for the times again: back to the booking page.
    field(page, "combobox", "Show times in").select_option(CLIENT_ZONE)
    with page.expect_response(lambda response: response.request.resource_type == "document") as shown:
        page.get_by_role("button", name="Show times").click()
    assert (shown.value.status, urlsplit(shown.value.url).path) == (200, "/"), shown.value.url
    expect(field(page, "combobox", "Show times in")).to_have_value(CLIENT_ZONE)
    expect(page.get_by_role("group", name=re.compile(r"^Time on "))).to_contain_text(f"({CLIENT_ZONE})")
    first_day_value = field(page, "combobox", "Day").locator("option").first.get_attribute("value")
    expect(field(page, "combobox", "Day")).to_have_value(first_day_value)
    times = offered_times(page)
    check_times_are_in(times, CLIENT_ZONE)
    radio, time_label, start = times[pick_index(times)]
    page.get_by_role("radio", name=time_label, exact=True).check()
    expect(radio).to_be_checked()

    # Details filled in, but the required consent box is forgotten: the server says so and keeps the answers.
    field(page, "textbox", "Your name").fill("Robin Plain")
    field(page, "textbox", "Email").fill("robin.plain@example.com")
    field(page, "textbox", "What would you like to discuss?").fill("Back pain (no-JS browser test)")
    with page.expect_response(re.compile(r"/booking/book/\d+/$")) as posted:
        page.get_by_role("button", name="Book now").click()
    assert posted.value.status == 400
    consent = field(page, "checkbox", "I agree to the privacy policy")
    expect(consent).to_have_accessible_description("This field is required.")
    expect(page.locator(".wb-has-error")).to_have_count(1)
    expect(field(page, "textbox", "Your name")).to_have_value("Robin Plain")
    expect(field(page, "textbox", "What would you like to discuss?")).to_have_value(
        "Back pain (no-JS browser test)")
    expect(page.get_by_role("radio", name=time_label, exact=True)).to_be_checked()
    assert_no_horizontal_scroll(page)
    screenshot(page, "form-error-phone-nojs.png")

    consent.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Book now").click()
    expect(page.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
    summary = booking_summary(page)
    assert summary["Service"] == SERVICE and summary["Status"] == "Confirmed", summary
    assert re.fullmatch(r"[A-Z0-9-]{4,}", summary["Reference"]), summary
    assert time_label in summary["When"] and f"({CLIENT_ZONE})" in summary["When"], summary
    assert start.astimezone(ZoneInfo(CLIENT_ZONE)).strftime("%A %-d %B %Y") in summary["When"], summary
    expect(page.get_by_text("We sent the details to robin.plain@example.com.")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "booked-phone-nojs.png")
    # The two answers with mistakes are 400s on purpose; nothing else may fail.
    unexpected = [p for p in problems if not re.fullmatch(r"HTTP 400: .*/booking/book/\d+/", p)]
    assert unexpected == [], "\n".join(unexpected)


def test_error_page_stays_put_with_javascript(browser, demo_site):
    """A visitor who chose another zone than the detected one and made a mistake keeps the error page: the
    script's one-off switch to the detected zone must not reload it (and lose what was typed)."""
    client = browser.new_context(**PHONE, timezone_id=CLIENT_ZONE, locale="en-GB")
    client.set_default_timeout(15_000)
    # Count form.submit() calls (the script's reload) in every page, so "no reload" needs no waiting.
    client.add_init_script("window.wbSubmits = 0; const submit = HTMLFormElement.prototype.submit;"
                           "HTMLFormElement.prototype.submit = function () { window.wbSubmits++; submit.call(this); };")
    page = client.new_page()
    problems = watch(page, demo_site)
    page.goto(demo_site + "/")
    page.wait_for_url(re.compile(r"[?&]booking_tz=Europe%2FLondon"))
    # With the script the times follow the zone at once (no request); the booking form carries the zone.
    field(page, "combobox", "Show times in").select_option("Asia/Tokyo")
    expect(page.get_by_role("group", name=re.compile(r"^Time on "))).to_contain_text("(Asia/Tokyo)")
    if not page.locator(".wb-time").count():
        page.get_by_role("button", name=re.compile(r"^Next available: ")).click()
    check_times_are_in(offered_times(page), "Asia/Tokyo")

    field(page, "textbox", "Your name").fill("Kim Hasty")
    with page.expect_response(re.compile(r"/booking/book/\d+/$")) as posted:
        page.get_by_role("button", name="Book now").click()
    assert posted.value.status == 400
    expect(page.get_by_text("Choose a time.")).to_be_visible()
    # The package's own base template loads booking.js on this page; the sandbox's replacement does not, so
    # load it here as the package's would.
    if not page.evaluate("document.documentElement.classList.contains('js')"):
        page.add_script_tag(url="/static/wagtail_booking/booking.js")
    # The script decides synchronously while it runs, and it has run: it did not reload the page.
    assert page.evaluate("[document.documentElement.classList.contains('js'), window.wbSubmits]") == [True, 0]
    assert re.search(r"/booking/book/\d+/$", page.url), page.url
    expect(page.get_by_text("Choose a time.")).to_be_visible()
    expect(field(page, "textbox", "Your name")).to_have_value("Kim Hasty")
    expect(field(page, "combobox", "Show times in")).to_have_value("Asia/Tokyo")
    unexpected = [p for p in problems if not re.fullmatch(r"HTTP 400: .*/booking/book/\d+/", p)]
    assert unexpected == [], "\n".join(unexpected)
