"""Joining from the booking block and the API, a class's waitlist, and the staff's waitlist view."""

import json
from datetime import UTC, timedelta

import pytest
from django.contrib.auth.models import User
from home.models import ContentPage
from wagtail.models import Site

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from tests.helpers import ny
from tests.waitlist.support import claim_path, fill, offer_emails, small_service, wait
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking, ClassSession
from wagtail_booking.waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db
Status = WaitlistEntry.Status


@pytest.fixture
def full_monday(site_root, monday):
    service, provider = small_service()
    fill(service, monday)
    page = site_root.add_child(instance=ContentPage(title="Book", slug="book-wait", body=json.dumps([
        {"type": "booking", "value": {"service": service.pk, "provider": None, "heading": "Book a massage"}}])))
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": page, "hostname": "testserver",
                                                                  "port": 80})
    return service, provider


def join_data(monday, **extra):
    return {"day": monday.isoformat(), "timezone": "America/New_York", "name": "Ana", "email": "ana@example.com",
            "phone": "", "language": "es", "next": "/", **extra}


def test_a_full_day_offers_the_waitlist_and_joining_puts_the_client_in_line(client, full_monday, monday):
    service, _provider = full_monday
    html = client.get("/", {"booking_service": service.pk, "booking_date": monday.isoformat(),
                            "booking_tz": "America/New_York"}).content.decode()
    assert "Join the waitlist" in html and f'name="day" value="{monday.isoformat()}"' in html
    free_day = client.get("/", {"booking_service": service.pk, "booking_date": (monday + timedelta(days=7))
                                .isoformat(), "booking_tz": "America/New_York"}).content.decode()
    assert "Join the waitlist" not in free_day

    response = client.post(f"/booking/waitlist/join/{service.pk}/", join_data(monday))
    assert response.status_code == 200 and "You are on the waitlist" in response.content.decode()
    entry = WaitlistEntry.objects.get()
    assert (entry.scope, entry.day, entry.client_email, entry.language) == ("day", monday, "ana@example.com", "es")
    again = client.post(f"/booking/waitlist/join/{service.pk}/", join_data(monday))
    assert again.status_code == 200 and WaitlistEntry.objects.count() == 1  # joining twice keeps one place


def test_join_errors_name_the_field(client, full_monday, monday):
    service, _provider = full_monday
    response = client.post(f"/booking/waitlist/join/{service.pk}/",
                           join_data(monday, name="", email="not-an-address", timezone="Mars/Base"))
    html = response.content.decode()
    assert response.status_code == 400 and not WaitlistEntry.objects.exists()
    assert "This field is required." in html and "Enter a valid email address." in html
    assert "Choose a known time zone" in html
    past = client.post(f"/booking/waitlist/join/{service.pk}/", join_data(monday - timedelta(days=30)))
    assert past.status_code == 400 and "Choose a day from today on." in past.content.decode()


def test_a_time_just_taken_offers_the_waitlist_for_that_time(client, full_monday, monday):
    service, provider = full_monday
    taken = ny(monday, 9, 30)
    response = client.post(f"/booking/book/{service.pk}/", {
        "slot": f"{taken.isoformat()}|{provider.pk}", "timezone": "America/New_York", "name": "Ben",
        "email": "ben@example.com", "next": "/"})
    html = response.content.decode()
    assert response.status_code == 409 and "Join the waitlist" in html and "is taken." in html
    assert f'name="start" value="{taken.astimezone(UTC).isoformat()}"' in html


def test_the_api_joins_and_says_the_place_in_line(client, full_monday, monday):
    service, provider = full_monday
    body = {"service": service.pk, "day": monday.isoformat(), "name": "Ana", "email": "ana@example.com",
            "timezone": "Europe/Paris", "language": "fr"}
    first = client.post("/booking/api/waitlist", json.dumps(body), content_type="application/json")
    second = client.post("/booking/api/waitlist", json.dumps({**body, "email": "ben@example.com",
                                                              "start": ny(monday, 9).isoformat(),
                                                              "provider": provider.pk}),
                         content_type="application/json")
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["scope"] == "day" and second.json()["scope"] == "time"
    assert second.json()["position"] > first.json()["position"]
    missing = client.post("/booking/api/waitlist", json.dumps({**body, "day": None}), content_type="application/json")
    assert missing.status_code == 400 and "Give one of day, start or session" in missing.json()["detail"] + str(
        missing.json()["errors"])
    past = client.post("/booking/api/waitlist", json.dumps({**body, "day": "2027-03-01"}),
                       content_type="application/json")
    assert past.status_code == 409 and past.json()["errors"][0]["field"] == "day"
    bad_email = client.post("/booking/api/waitlist", json.dumps({**body, "email": "nope"}),
                            content_type="application/json")
    assert bad_email.status_code == 400 and bad_email.json()["errors"][0]["field"] == "email"
    unknown = client.post("/booking/api/waitlist", json.dumps({**body, "service": 999999}),
                          content_type="application/json")
    assert unknown.status_code == 404


def test_a_full_class_offers_a_freed_seat_and_the_claim_takes_it(client, monday, django_capture_on_commit_callbacks):
    provider = ProviderFactory()
    service = ServiceFactory(name="Yoga", providers=[provider], capacity=2)
    start = ny(monday, 18)
    session = ClassSession.objects.create(site_id=service.site_id, service=service, provider=provider, start=start,
                                          end=start + timedelta(minutes=30), blocked_start=start,
                                          blocked_end=start + timedelta(minutes=30), capacity=2)
    seats = [BookingFactory(service=service, provider=provider, start=start, session=session) for _ in range(2)]
    session.refresh_from_db()
    assert session.seats_left == 0
    ana = wait(service, monday, "Ana", session=session)
    assert ana.scope == "session"
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(seats[0], by="staff")
    ana.refresh_from_db()
    assert ana.status == Status.OFFERED and ana.offered_start == start
    response = client.post(claim_path(offer_emails("ana@example.com")[0]))
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.booking.session == session and ana.booking.status == Booking.Status.CONFIRMED
    session.refresh_from_db()
    assert session.seats_taken == 2


# --- staff --------------------------------------------------------------------------------------------------------


def lines_html(admin_client):
    """The page from the first line's table on (the admin's head and menu hold words of their own)."""
    html = admin_client.get("/admin/booking/waitlist/").content.decode()
    return html[html.index("<table"):]


def test_staff_see_the_lines_and_reorder_remove_and_offer(admin_client, monday, django_capture_on_commit_callbacks):
    service, _provider = small_service()
    first, _second = fill(service, monday)
    ana, ben, cy = (wait(service, monday, name) for name in ("Ana", "Ben", "Cy"))
    html = lines_html(admin_client)
    assert html.index("Ana") < html.index("Ben") < html.index("Cy") and "Any time that day" in html
    assert admin_client.post(f"/admin/booking/waitlist/{cy.pk}/up/").status_code == 302
    html = lines_html(admin_client)
    assert html.index("Ana") < html.index("Cy") < html.index("Ben")
    admin_client.post(f"/admin/booking/waitlist/{ana.pk}/remove/")
    ana.refresh_from_db()
    assert ana.status == Status.LEFT
    assert "ana@example.com" not in admin_client.get("/admin/booking/waitlist/").content.decode()
    services.cancel(first, by="staff")  # no commit here: the place is free, nobody offered it yet
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/booking/waitlist/{ben.pk}/offer/")
    ben.refresh_from_db()
    assert ben.status == Status.OFFERED and offer_emails("ben@example.com")
    html = admin_client.get("/admin/booking/waitlist/").content.decode()
    assert "until" in html and "(America/New_York)" in html
    assert admin_client.post(f"/admin/booking/waitlist/{ben.pk}/bogus/").status_code == 404


def test_the_waitlist_view_needs_its_permission(client, monday):
    service, _provider = small_service()
    entry = wait(service, monday, "Ana")
    user = User.objects.create_user("plain", password="pw", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get("/admin/booking/waitlist/").status_code in (302, 403)
    assert client.post(f"/admin/booking/waitlist/{entry.pk}/remove/").status_code in (302, 403)
    entry.refresh_from_db()
    assert entry.status == Status.WAITING
