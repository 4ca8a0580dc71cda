"""Book the demo site's free consultation the way a person would, in headless Chromium on a phone.

The sandbox's demo data (``load_demo``) is loaded into the test database and served by pytest-django's
``live_server``. A client in London opens the home page on a phone, picks the first offered day and a time,
answers the intake questions and books; then a member of staff signs in to the Wagtail admin, finds the
booking in the Bookings listing and reads the intake answers. A second test books with JavaScript turned off
(server-rendered forms, including the form-error page); a third checks that the error page is not reloaded
by the script. Screenshots go to test-artifacts/ (git-ignored).

The wall clock is real, so the tests take whatever days and times the page offers.
"""

import os
import re
import shutil
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
CLIENT_ZONE = "Europe/London"
PROVIDER_ZONE = "America/New_York"  # the demo providers' zone, and the site's TIME_ZONE
SERVICE = "Free consultation"
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "booking-sandbox"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (/usr/bin/chromium or `chromium` "
                                                "on PATH); the browser tests need it"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect


# --- fixtures -------------------------------------------------------------------------------------------------


def _wagtail_baseline():
    """Recreate what Wagtail's migrations insert (locale, page tree root, collection root, default site).

    ``transactional_db`` empties every table after each test, so the second test (and any run with
    ``--reuse-db``) starts without the rows the migrations made; ``load_demo`` expects them.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root",
                                           content_type=ContentType.objects.get_for_model(Page)))
    if not Site.objects.filter(is_default_site=True).exists():
        home = root.add_child(instance=Page(title="Welcome to your new Wagtail site!", slug="home"))
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)


@pytest.fixture
def demo_site(transactional_db, live_server):
    """The sandbox's demo data, with the default Wagtail site answering on the live server's host and port.

    Wagtail picks the site for a request by hostname and port (``Site.find_for_request``, falling back to the
    default site); ``load_demo`` sets $SANDBOX_HOST:$SANDBOX_PORT (127.0.0.1:8000), so the site is moved to the
    live server's address, and it stays the default site.
    """
    from wagtail.models import Site

    _wagtail_baseline()
    call_command("load_demo", stdout=StringIO())
    address = urlsplit(live_server.url)
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = address.hostname, address.port
    site.save()
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


@pytest.fixture
def browser(demo_site):
    """Debian's Chromium driven by Playwright (``playwright install`` cannot download browsers here).

    It starts after the database work: Django refuses ORM calls while Playwright's event loop runs.
    """
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def watch(page, origin, console=True):
    """Collect what would spoil a visit: script errors, and failed or refused requests to the site itself.

    Requests to other hosts are left out (there is no internet here: the Wagtail admin's update check and
    Gravatar images fail), and so are requests the page itself abandoned (the admin's live search cancels
    the previous search as you type). ``console=False`` skips console messages (the admin logs its failed
    update check there).
    """
    problems = []
    ours = lambda url: url.startswith(origin + "/") and not url.endswith("/favicon.ico")  # noqa: E731
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    if console:
        # Failed loads also log a console error without the address; "response" below reports them with it.
        page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
                and problems.append(f"console error: {msg.text}"))
    page.on("requestfailed", lambda request: ours(request.url) and request.failure != "net::ERR_ABORTED"
            and problems.append(f"request failed ({request.failure}): {request.url}"))
    page.on("response", lambda response: response.status >= 400 and ours(response.url)
            and problems.append(f"HTTP {response.status}: {response.url}"))
    return problems


# --- helpers --------------------------------------------------------------------------------------------------


def assert_no_horizontal_scroll(page):
    widths = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], f"the page scrolls sideways at phone width: {widths}"


def offered_times(page):
    """The time radios of the chosen day: (radio locator, accessible name, UTC start) for each."""
    group = page.get_by_role("group", name=re.compile(r"^Time on "))
    radios = group.get_by_role("radio")
    expect(radios.first).to_be_visible()
    times = []
    for index in range(radios.count()):
        radio = radios.nth(index)
        start = datetime.fromisoformat(radio.get_attribute("value").partition("|")[0])
        name = radio.evaluate("el => el.labels[0].innerText.trim()")
        times.append((radio, name, start))
    names = [name for _radio, name, _start in times]
    assert len(set(names)) == len(names), f"the same time is offered twice: {names}"
    return times


def check_times_are_in(times, zone_name):
    zone = ZoneInfo(zone_name)
    for _radio, name, start in times:
        assert name == start.astimezone(zone).strftime("%H:%M"), (
            f"the time labelled {name!r} starts at {start.isoformat()}, which is not {name} in {zone_name}")


def pick_index(times):
    """The first time, unless it is so close to the minimum notice that it could lapse while the form is
    filled in (then the first comfortably later one, or the day's last)."""
    comfortable = datetime.now(ZoneInfo("UTC")) + timedelta(minutes=75)
    for index, (_radio, _name, start) in enumerate(times):
        if start >= comfortable:
            return index
    return len(times) - 1


def choose_time_with_keyboard(page, times, index):
    """Tab from "Show times" into the radio group, then arrow keys (or Space) like a keyboard user."""
    page.get_by_role("button", name="Show times").focus()
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


def field(page, role, name):
    """A form control found by its role and accessible name (what a screen reader announces)."""
    return page.get_by_role(role, name=name, exact=True)


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


def booking_summary(page):
    """The booked page's summary list as {term: description}."""
    return page.locator("dl.wb-summary").evaluate(
        "dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(dt => "
        "[dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))")


def screenshot(page, name):
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


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

    # The first offered day, chosen with the keyboard, then "Show times".
    day = field(page, "combobox", "Day")
    first_day = day.locator("option").first
    first_day_value, first_day_text = first_day.get_attribute("value"), first_day.inner_text()
    day.focus()
    page.keyboard.press("Home")
    expect(day).to_have_value(first_day_value)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show times")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"[?&]booking_date={first_day_value}"))
    expect(field(page, "combobox", "Day")).to_have_value(first_day_value)
    expect(field(page, "combobox", "Show times in")).to_have_value(CLIENT_ZONE)

    # Times are shown in London time, for that day.
    legend = page.get_by_role("group", name=re.compile(r"^Time on "))
    expect(legend).to_contain_text(f"({CLIENT_ZONE})")
    expect(legend).to_contain_text(first_day_text.rsplit(" ", 1)[0])  # "Monday 23 November", without the year
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
    row.get_by_role("button", name=re.compile(r"^More options for")).click()
    with admin.expect_response(re.compile(r"/admin/bookings/inspect/\d+/$")) as opened:
        admin.get_by_role("link", name="Inspect").click()
    admin.wait_for_url(re.compile(r"/admin/bookings/inspect/\d+/$"))
    assert opened.value.status == 200, f"the booking's inspect page answered {opened.value.status}"
    expect(admin.get_by_role("heading", name="Intake answers")).to_be_visible()
    answers = admin.locator("main dl").last.evaluate(
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
    page = client.new_page()
    problems = watch(page, demo_site)
    page.goto(demo_site + "/")
    page.wait_for_url(re.compile(r"[?&]booking_tz=Europe%2FLondon"))
    field(page, "combobox", "Show times in").select_option("Asia/Tokyo")
    with page.expect_navigation():
        page.get_by_role("button", name="Show times").click()
    expect(page.get_by_role("group", name=re.compile(r"^Time on "))).to_contain_text("(Asia/Tokyo)")
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
    page.wait_for_timeout(500)  # time for a reload the script should not make
    assert re.search(r"/booking/book/\d+/$", page.url), page.url
    expect(page.get_by_text("Choose a time.")).to_be_visible()
    expect(field(page, "textbox", "Your name")).to_have_value("Kim Hasty")
    expect(field(page, "combobox", "Show times in")).to_have_value("Asia/Tokyo")
    unexpected = [p for p in problems if not re.fullmatch(r"HTTP 400: .*/booking/book/\d+/", p)]
    assert unexpected == [], "\n".join(unexpected)
