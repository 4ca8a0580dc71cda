"""Helpers shared by the browser tests (the fixtures are in conftest.py)."""

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

try:
    from playwright import sync_api
except ImportError:  # the test modules skip themselves (pytest.importorskip)
    sync_api = None

CHROMIUM = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

CLIENT_ZONE = "Europe/London"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (/usr/bin/chromium or `chromium` "
                                                "on PATH); the browser tests need it"),
]


def phone_page(browser, site, stripe):
    context = browser.new_context(**PHONE, timezone_id=CLIENT_ZONE, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    return page, watch(page, site, also=(stripe.url,))


def expect(*args, **kwargs):
    return sync_api.expect(*args, **kwargs)


def watch(page, origin, console=True, also=()):
    """Collect what would spoil a visit: script errors, and failed or refused requests to the site itself
    (and to the origins in ``also``, such as a payment fake).

    Requests to other hosts are left out (there is no internet here: the Wagtail admin's update check and
    Gravatar images fail), and so are requests the page itself abandoned (the admin's live search cancels
    the previous search as you type). ``console=False`` skips console messages (the admin logs its failed
    update check there).
    """
    problems = []
    origins = (origin, *also)
    ours = lambda url: (any(url.startswith(o + "/") for o in origins)  # noqa: E731
                        and not url.endswith("/favicon.ico"))
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


def in_thread(function, *args):
    """Run ORM code in a worker thread and return its result.

    Django refuses ORM calls in a thread where an event loop runs, and Playwright's sync API runs one in the
    test's thread; the worker has its own database connection, closed when it is done.
    """
    from django.db import connections

    def run():
        try:
            return function(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def assert_no_horizontal_scroll(page):
    """Nothing is wider than the phone's screen.

    Compared with the context's viewport too: a mobile browser widens the layout viewport (``innerWidth``) to
    fit content that overflows on pages whose viewport tag lacks ``initial-scale=1`` (Oscar's), shrinking
    the page instead of scrolling it.
    """
    widths = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    screen = (page.viewport_size or {}).get("width", widths["inner"])
    assert widths["scroll"] <= min(widths["inner"], screen), (
        f"{page.url} is wider than the screen at phone width: {widths}, screen {screen}")


def offered_times(page, within=None, legend=r"^Time on "):
    """The time radios of the chosen day: (radio locator, accessible name, UTC start) for each. ``legend``: how
    the group of times is named (in the page's language)."""
    group = (within or page).get_by_role("group", name=re.compile(legend))
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


def field(page, role, name):
    """A form control found by its role and accessible name (what a screen reader announces)."""
    return page.get_by_role(role, name=name, exact=True)


def summary_list(locator):
    """A <dl> as {term: description}."""
    return locator.evaluate(
        "dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(dt => "
        "[dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))")


def booking_summary(page):
    """The booked page's summary list as {term: description}."""
    return summary_list(page.locator("dl.wb-summary"))


def screenshot(page, name):
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
