""""Add to calendar" on the confirmation: .ics behind the signed token, Google and Outlook links in exact UTC."""

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from tests.factories.booking import BookingFactory
from tests.helpers import ny
from wagtail_booking.bookings.tokens import issue_token, manage_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(service, monday, site_root):
    booking = BookingFactory.build(service=service, provider=service.providers.first(), start=ny(monday, 10),
                                   client_timezone="Europe/London")
    issue_token(booking)
    booking.save()
    return booking


def calendar_links(client, booking):
    html = client.get(f"/booking/booked/{booking.reference}/{manage_token(booking)}/").content.decode()
    section = html[html.index("Add to calendar"):]
    return {name: unescape(href) for href, name in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)', section)[:3]}


def test_google_link_parses_back_to_the_booking(client, booking):
    google = urlsplit(calendar_links(client, booking)["Google Calendar"])
    assert (google.scheme, google.netloc, google.path) == ("https", "calendar.google.com", "/calendar/render")
    query = parse_qs(google.query)
    start, end = query["dates"][0].split("/")
    parse = lambda text: datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)  # noqa: E731
    assert (parse(start), parse(end)) == (booking.start, booking.end)
    assert query["action"] == ["TEMPLATE"] and query["text"] == ["Consultation with Maya"]
    assert f"/booking/manage/{booking.reference}/" in query["details"][0]


def test_outlook_link_parses_back_to_the_booking(client, booking):
    outlook = urlsplit(calendar_links(client, booking)["Outlook"])
    assert outlook.netloc == "outlook.live.com" and outlook.path == "/calendar/0/deeplink/compose"
    query = parse_qs(outlook.query)
    assert datetime.fromisoformat(query["startdt"][0]) == booking.start
    assert datetime.fromisoformat(query["enddt"][0]) == booking.end
    assert query["subject"] == ["Consultation with Maya"] and booking.reference in query["body"][0]


def test_ics_download_needs_the_token_and_holds_the_booking(client, booking):
    url = calendar_links(client, booking)["Apple Calendar and others (.ics)"]
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert f'filename="booking-{booking.reference}.ics"' in response["Content-Disposition"]
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (booking.start, booking.end)
    assert client.get(url.replace(manage_token(booking), "x" * 20)).status_code == 404


def test_a_cancelled_booking_offers_no_calendar_links(client, booking):
    booking.status = "cancelled"
    booking.save()
    html = client.get(f"/booking/booked/{booking.reference}/{manage_token(booking)}/").content.decode()
    assert "Add to calendar" not in html
