"""After booking, in headless Chromium: "add to calendar" on the confirmation, "my bookings" by a single-use
emailed link, and the booking block embedded in a plain HTML page served from another port.

Screenshots (1280 px and 390 px) go to test-artifacts/after-*.png.
"""

import http.server
import re
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from .support import (
    ARTIFACTS,
    BROWSER_MARKS,
    PHONE,
    assert_no_horizontal_scroll,
    field,
    in_thread,
    offered_times,
    pick_index,
    screenshot,
    watch,
)

pytestmark = BROWSER_MARKS
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

CLIENT_ZONE = "Europe/London"
SERVICE = "Free consultation"
EMAIL = "casey.client@example.com"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _booking(service_name, email, start):
    from tests.factories.booking import BookingFactory
    from wagtail_booking.bookings.tokens import issue_token, manage_token
    from wagtail_booking.snippets.models import Service

    service = Service.objects.get(name=service_name)
    booking = BookingFactory.build(service=service, provider=service.providers.first(), start=start,
                                   client_email=email, client_name="Casey Client", client_timezone=CLIENT_ZONE)
    issue_token(booking)
    booking.save()
    return booking, f"/booking/booked/{booking.reference}/{manage_token(booking)}/"


@pytest.fixture
def bookings(demo_site):
    soon = (timezone.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    upcoming = _booking(SERVICE, EMAIL, soon)
    past = _booking(SERVICE, EMAIL, soon - timedelta(days=20))
    return upcoming, past


def test_confirmation_offers_add_to_calendar(bookings, browser, demo_site):
    (booking, booked_url), _past = bookings
    for name, options in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(**options, timezone_id=CLIENT_ZONE, locale="en-GB")
        page = context.new_page()
        problems = watch(page, demo_site)
        page.goto(demo_site + booked_url)
        expect(page.get_by_role("heading", name="Add to calendar")).to_be_visible()
        google = page.get_by_role("link", name=re.compile("^Google Calendar"))
        dates = parse_qs(urlsplit(google.get_attribute("href")).query)["dates"][0]
        assert dates == f"{booking.start:%Y%m%dT%H%M%SZ}/{booking.end:%Y%m%dT%H%M%SZ}"
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile(r"\.ics")).click()
        assert download.value.suggested_filename == f"booking-{booking.reference}.ics"
        assert "BEGIN:VEVENT" in open(download.value.path()).read()
        if name == "phone":
            assert_no_horizontal_scroll(page)
        screenshot(page, f"after-confirmation-{name}.png")
        assert problems == [], "\n".join(problems)
        context.close()


def test_my_bookings_by_a_single_use_link(bookings, browser, demo_site):
    (upcoming, _url), (past, _past_url) = bookings
    mail.outbox.clear()
    for name, options in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(**options, timezone_id=CLIENT_ZONE, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        problems = watch(page, demo_site)
        page.goto(demo_site + "/booking/my-bookings/")
        field(page, "textbox", "Your email address").fill(EMAIL)
        with page.expect_navigation():
            page.get_by_role("button", name="Email me a link").click()
        expect(page.get_by_role("status")).to_contain_text(f"If we have bookings for {EMAIL}, we've sent a link")
        screenshot(page, f"after-my-bookings-request-{name}.png")

        # The email's links use the configured base URL (WAGTAILADMIN_BASE_URL); open its path on the live server.
        link = demo_site + re.search(r"https?://[^/\s]+(/booking/my-bookings/open/\S+/)",
                                     mail.outbox[-1].body).group(1)
        page.goto(link)
        with page.expect_navigation():
            page.get_by_role("button", name="Show my bookings").click()
        expect(page.get_by_role("heading", level=1, name="My bookings")).to_be_visible()
        lists = page.get_by_role("list")
        expect(lists.nth(0)).to_contain_text(upcoming.reference)
        expect(lists.nth(0)).to_contain_text(f"({CLIENT_ZONE})")
        expect(lists.nth(1)).to_contain_text(past.reference)
        if name == "phone":
            assert_no_horizontal_scroll(page)
        screenshot(page, f"after-my-bookings-list-{name}.png")
        page.get_by_role("link", name=re.compile("^Change or cancel")).click()
        expect(page.get_by_text(upcoming.reference).first).to_be_visible()

        # The link is used up: opening it again says so and offers a new one.
        response = page.goto(link)
        assert response.status == 410
        expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
        assert [p for p in problems if "410" not in p] == [], "\n".join(problems)
        context.close()
        # The next round asks again at once; the per-address pause between links would hold it back.
        in_thread(lambda: __import__("wagtail_booking.clients.models", fromlist=["x"])
                  .ClientAccessLink.objects.update(created_at=timezone.now() - timedelta(minutes=5)))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def host_site(directory, live_url, service_id):
    """Another website: a plain HTML page on its own port that embeds the booking block as the admin says."""
    (directory / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Harbour Yoga</title><style>body {{ font-family: sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem }}
</style></head>
<body><header><h1>Harbour Yoga</h1><p>Book a free consultation with our partners below.</p></header>
<iframe src="{live_url}/booking/embed/{service_id}/" title="Book Free consultation" data-wagtail-booking
 loading="lazy" style="width:100%;min-height:480px;border:0"></iframe>
<script src="{live_url}/static/wagtail_booking/embed.js" async></script>
<footer><p>Harbour Yoga, 1 Pier Road</p></footer></body></html>""")
    port = _free_port()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()


def _frame_height(page):
    return page.locator("iframe[data-wagtail-booking]").evaluate("f => f.getBoundingClientRect().height")


@pytest.fixture
def service_id(demo_site):
    from wagtail_booking.snippets.models import Service

    return Service.objects.get(name=SERVICE).pk


def test_book_inside_a_block_embedded_in_another_site(service_id, browser, demo_site, tmp_path):
    with host_site(tmp_path, demo_site, service_id) as host:
        for name, options in (("phone", PHONE), ("desktop", DESKTOP)):
            context = browser.new_context(**options, timezone_id=CLIENT_ZONE, locale="en-GB")
            context.set_default_timeout(15_000)
            page = context.new_page()
            problems = watch(page, demo_site)
            page.goto(host)
            frame = page.frame_locator("iframe[data-wagtail-booking]")
            expect(frame.get_by_role("heading", name=f"Book {SERVICE}")).to_be_visible()
            # The block's script reloads the frame once in the visitor's zone; then the frame fits its content.
            expect(field(frame, "combobox", "Show times in")).to_have_value(CLIENT_ZONE)
            content = frame.locator("#wb-embed")
            page.wait_for_function("() => document.querySelector('iframe[data-wagtail-booking]')"
                                   ".getBoundingClientRect().height > 700")
            inner = content.evaluate("el => Math.ceil(el.getBoundingClientRect().height)")
            assert abs(_frame_height(page) - inner) <= 2, (_frame_height(page), inner)
            assert frame.locator("html").evaluate("el => el.scrollHeight <= window.innerHeight + 1")
            if name == "phone":
                assert_no_horizontal_scroll(page)
            screenshot(page, f"after-embed-host-{name}.png")
            # Chromium's full-page shot leaves a cross-origin frame unpainted past the first screens: the end of
            # the form, scrolled to like a visitor would, in a screen-sized shot.
            page.locator("footer").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"after-embed-host-{name}-end.png"))
            if name == "phone":
                context.close()
                continue

            times = offered_times(frame)
            radio, label, start = times[pick_index(times)]
            radio.check()
            field(frame, "textbox", "Your name").fill("Robin Embedded")
            field(frame, "textbox", "Email").fill("robin.embedded@example.com")
            field(frame, "textbox", "What would you like to discuss?").fill("Booked on another site")
            field(frame, "checkbox", "I agree to the privacy policy").check()
            before = _frame_height(page)
            frame.get_by_role("button", name="Book now").click()
            expect(frame.get_by_role("heading", level=1, name="You're booked")).to_be_visible()
            expect(frame.get_by_role("heading", name="Add to calendar")).to_be_visible()
            page.wait_for_function(f"() => document.querySelector('iframe[data-wagtail-booking]')"
                                   f".getBoundingClientRect().height != {before}")
            inner = content.evaluate("el => Math.ceil(el.getBoundingClientRect().height)")
            # The shorter confirmation shrinks the frame, down to the snippet's min-height (480 px, for no script).
            assert abs(_frame_height(page) - max(inner, 480)) <= 2, (_frame_height(page), inner)
            assert page.url == host  # the host page stayed; the booking happened in the frame
            booked = in_thread(lambda: list(__import__("wagtail_booking.bookings.models", fromlist=["x"])
                                            .Booking.objects.filter(client_email="robin.embedded@example.com")
                                            .values_list("status", "start")))
            assert booked == [("confirmed", start)]
            screenshot(page, "after-embed-booked-desktop.png")
            assert problems == [], "\n".join(problems)
            context.close()
