"""Where the room is shown: always to staff (calendar, booking page, staff emails); to the client (confirmation and
manage pages, emails, .ics) only when the service says so."""

import json
import re

import pytest
from django.core import mail
from icalendar import Calendar

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory, pool_of
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.tokens import manage_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def massage(site_root):
    return ServiceFactory(name="Massage", duration_minutes=60,
                          providers=[ProviderFactory(name="Maya", email="maya@example.com")],
                          resource_pool=pool_of(ResourceFactory(name="Cedar room")))


def book(service, start, capture):
    with capture(execute=True):
        booking = services.create_hold(service, start, services.ClientDetails("Ann Lee", "ann@example.com",
                                                                              "America/New_York"))
    booking.refresh_from_db()
    return booking


def client_mail():
    return [m for m in mail.outbox if m.to == ["ann@example.com"]]


def staff_mail():
    return [m for m in mail.outbox if m.to == ["maya@example.com"]]


def ics(client, booking):
    html = client.get(f"/booking/booked/{booking.reference}/{manage_token(booking)}/").content.decode()
    url = re.search(r'href="([^"]+\.ics[^"]*)"|href="(/booking/[^"]*ics[^"]*)"', html)
    response = client.get((url[1] or url[2]).replace("&amp;", "&"))
    return Calendar.from_ical(response.content).walk("VEVENT")[0], html


def test_staff_always_see_the_room_the_client_only_when_the_service_says(
        client, admin_client, massage, monday, django_capture_on_commit_callbacks):
    booking = book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    assert booking.resource.name == "Cedar room"
    [to_maya] = staff_mail()
    assert "Room or equipment: Cedar room" in to_maya.body and "Cedar room" in to_maya.alternatives[0][0]
    [to_ann] = client_mail()
    assert "Cedar room" not in to_ann.body and "Cedar room" not in to_ann.alternatives[0][0]
    event, html = ics(client, booking)
    assert "Cedar room" not in html and "Cedar room" not in str(event.get("location", ""))
    page = admin_client.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    assert "Room or equipment" in page and "Cedar room (not shown to the client)" in page
    feed = admin_client.get("/admin/booking/calendar/feed/", {"start": f"{monday}T00:00", "end": f"{monday}T23:00"})
    assert [event["extendedProps"]["what"] for event in feed.json()] == ["Ann Lee · Massage · Cedar room"]
    calendar = admin_client.get("/admin/booking/calendar/", {"view": "day", "date": monday.isoformat()})
    html = calendar.content.decode()
    assert f'name="provider" value="{booking.provider_id}"' in html  # staff are the calendar's columns,
    assert f'name="provider" value="{booking.resource_id}"' not in html  # rooms are not
    assert "Ann Lee · Massage · Cedar room" in html  # the list drawn without JavaScript names the room too

    massage.show_resource_to_client = True
    massage.save()
    mail.outbox.clear()
    later = book(massage, ny(monday, 14), django_capture_on_commit_callbacks)
    [to_ann] = client_mail()
    assert "Where: Cedar room" in to_ann.body and "Cedar room" in to_ann.alternatives[0][0]
    event, html = ics(client, later)
    assert "Cedar room" in html and str(event["location"]) == "Cedar room"
    manage = client.get(f"/booking/manage/{later.reference}/{manage_token(later)}/").content.decode()
    assert "Cedar room" in manage


def test_the_api_names_the_room_only_when_the_service_shows_it(client, massage, monday):
    def hold(hour, n):
        body = {"service": massage.pk, "start": ny(monday, hour).isoformat(), "name": f"Client {n}",
                "email": f"client{n}@example.com", "timezone": "America/New_York"}
        response = client.post("/booking/api/holds", data=json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        return response.json()

    assert hold(10, 1)["resource"] is None
    massage.show_resource_to_client = True
    massage.save()
    assert hold(11, 2)["resource"] == "Cedar room"


def test_a_seat_in_a_class_shows_its_sessions_room_on_the_same_terms(
        client, admin_client, site_root, monday, django_capture_on_commit_callbacks):
    yoga = ServiceFactory(name="Yoga", capacity=6, duration_minutes=60,
                          providers=[ProviderFactory(name="Maya", email="maya@example.com")],
                          resource_pool=pool_of(ResourceFactory(name="Cedar room")))
    booking = book(yoga, ny(monday, 10), django_capture_on_commit_callbacks)
    assert booking.resource is None and booking.session.resource.name == "Cedar room"
    [to_maya] = staff_mail()
    assert "Room or equipment: Cedar room" in to_maya.body and "Cedar room" in to_maya.alternatives[0][0]
    [to_ann] = client_mail()
    assert "Cedar room" not in to_ann.body and "Cedar room" not in to_ann.alternatives[0][0]
    event, html = ics(client, booking)
    assert "Cedar room" not in html and "Cedar room" not in str(event.get("location", ""))
    page = admin_client.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    assert "Cedar room (not shown to the client)" in page
    feed = admin_client.get("/admin/booking/calendar/feed/", {"start": f"{monday}T00:00", "end": f"{monday}T23:00"})
    assert [event["extendedProps"]["what"] for event in feed.json()] == ["Yoga · 1 of 6 seat taken · Cedar room"]

    yoga.show_resource_to_client = True
    yoga.save()
    mail.outbox.clear()
    second = book(yoga, ny(monday, 10), django_capture_on_commit_callbacks)
    assert second.session == booking.session  # the same class, the same room
    [to_ann] = client_mail()
    assert "Where: Cedar room" in to_ann.body and "Cedar room" in to_ann.alternatives[0][0]
    event, html = ics(client, second)
    assert "Cedar room" in html and str(event["location"]) == "Cedar room"
    manage = client.get(f"/booking/manage/{second.reference}/{manage_token(second)}/").content.decode()
    assert "Cedar room" in manage
    body = {"service": yoga.pk, "start": ny(monday, 10).isoformat(), "name": "Bo", "email": "bo@example.com",
            "timezone": "America/New_York"}
    response = client.post("/booking/api/holds", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201 and response.json()["resource"] == "Cedar room"
