"""An online appointment's confirmation and manage pages in Chromium: the video link is a link the client can
follow, fits a 390 px phone, and passes axe. Screenshots go to test-artifacts/video-link-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .axe import assert_accessible
from .support import BROWSER_MARKS, PHONE, assert_no_horizontal_scroll, screenshot, watch

pytestmark = BROWSER_MARKS
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

LINK = "https://zoom.example.com/j/98765432101?pwd=Xy7Qk2LmN8vR4tW1zA5cB9dE3fG6hJ0"


@pytest.fixture
def online_booking(demo_site):
    from tests.factories.booking import BookingFactory
    from wagtail_booking.bookings.tokens import issue_token, manage_token
    from wagtail_booking.snippets.models import Service

    service = Service.objects.get(name="Free consultation")
    Service.objects.filter(pk=service.pk).update(online=True)
    provider = service.providers.first()
    provider.meeting_url = LINK
    provider.save()
    start = (timezone.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
    booking = BookingFactory.build(service=service, provider=provider, start=start, client_name="Casey Client",
                                   client_email="casey@example.com", client_timezone="Europe/London")
    issue_token(booking)
    booking.save()
    token = manage_token(booking)
    return f"/booking/booked/{booking.reference}/{token}/", f"/booking/manage/{booking.reference}/{token}/"


def test_the_video_link_is_on_the_confirmation_and_manage_pages(online_booking, browser, demo_site):
    for name, options in (("desktop", {"viewport": {"width": 1280, "height": 900}}), ("phone", PHONE)):
        context = browser.new_context(**options, timezone_id="Europe/London", locale="en-GB")
        page = context.new_page()
        problems = watch(page, demo_site)
        for which, url in zip(("booked", "manage"), online_booking, strict=True):
            page.goto(demo_site + url)
            link = page.get_by_role("link", name=LINK)
            expect(link).to_be_visible()
            assert link.get_attribute("href") == LINK
            if name == "phone":
                assert_no_horizontal_scroll(page)
            assert_accessible(page)
            screenshot(page, f"video-link-{which}-{name}.png")
        assert not problems
        context.close()
