"""Book the demo site's free consultation the way a person would, in headless Chromium on a phone.

The sandbox's demo data (``load_demo``) is loaded into the test database and served by pytest-django's
``live_server``. A client in London opens the home page on a phone, picks the first offered day and a time,
answers the intake questions and books; then a member of staff signs in to the Wagtail admin, finds the
booking in the Bookings listing and reads the intake answers. A second test books with JavaScript turned off.

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

    Wagtail picks the site for a request by hostname and port (``Site.find_for_request``); ``load_demo``
    sets 127.0.0.1:8000, so the site is moved to the live server's address (it also stays the default site).
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


def watch(page):
    """Collect what would make a person's visit go wrong: script errors and failed requests."""
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console error: {msg.text}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on("response", lambda response: response.status >= 400 and problems.append(
        f"HTTP {response.status}: {response.url}"))
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


def fill_details(page, name, email, discuss):
    page.get_by_label("Your name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    expect(page.get_by_label("Phone (optional)", exact=True)).to_be_visible()
    page.get_by_label("What would you like to discuss?", exact=True).fill(discuss)
    page.get_by_label("How did you hear about us?", exact=True).select_option(label="Friend")
    consent = page.get_by_label("I agree to the privacy policy", exact=True)
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
    page = client.new_page()
    problems = watch(page)

    # The home page loads, and the script reloads it once to show times in the browser's zone.
    page.goto(demo_site + "/")
    page.wait_for_url(re.compile(r"[?&]booking_tz=Europe%2FLondon"))
    expect(page.get_by_role("heading", name="Book a free consultation")).to_be_visible()
    expect(page.get_by_label("Show times in")).to_have_value(CLIENT_ZONE)
    assert_no_horizontal_scroll(page)

    # The first offered day, chosen with the keyboard, then "Show times".
    day = page.get_by_label("Day", exact=True)
    first_day = day.locator("option").first
    first_day_value, first_day_text = first_day.get_attribute("value"), first_day.inner_text()
    day.focus()
    page.keyboard.press("Home")
    expect(day).to_have_value(first_day_value)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show times")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"[?&]booking_date={first_day_value}"))
    expect(page.get_by_label("Day", exact=True)).to_have_value(first_day_value)
    expect(page.get_by_label("Show times in")).to_have_value(CLIENT_ZONE)

    # Times are shown in London time, for that day.
    legend = page.get_by_role("group", name=re.compile(r"^Time on "))
    expect(legend).to_contain_text(f"({CLIENT_ZONE})")
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
    assert problems == []
    client.close()

    # Staff sign in to the admin (on a desktop), find the booking and read the intake answers.
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id=PROVIDER_ZONE)
    admin = staff.new_page()
    admin_problems = watch(admin)
    admin.goto(demo_site + "/admin/")
    admin.get_by_label("Username").fill(ADMIN_USERNAME)
    admin.get_by_label("Password").fill(ADMIN_PASSWORD)
    with admin.expect_navigation():
        admin.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    admin.get_by_role("link", name="Bookings", exact=True).first.click()
    admin.wait_for_url(re.compile(r"/admin/bookings/"))
    row = admin.get_by_role("row").filter(has_text=reference)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Alex Browser")
    expect(row).to_contain_text(SERVICE)
    print(admin.content())
    admin_problems.clear()
    staff.close()
