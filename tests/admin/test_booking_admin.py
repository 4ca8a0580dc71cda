"""Bookings and setup snippets in the Wagtail admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from tests.factories.booking import BookingFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.snippets.models import BusyBlock

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(service, intake_form, monday):
    service.intake_form = intake_form
    service.booking_mode = "request"
    service.save()
    from wagtail_booking.bookings.intake import client_details

    client = client_details(service, "Zoe Quill", "zoe@example.com", "", "Europe/Berlin",
                            {"what_brings_you_here": "Knee pain after running", "preferred_contact": "Email"})
    return services.create_hold(service, ny(monday, 10), client)


def test_listing_filters_and_search(admin_client, booking, service, monday):
    BookingFactory(service=service, provider=booking.provider, start=ny(monday, 14), client_name="Other Person",
                   status="cancelled")
    html = admin_client.get("/admin/bookings/", {"q": "quill"}).content.decode()
    assert "Zoe Quill" in html and "Other Person" not in html
    html = admin_client.get("/admin/bookings/", {"status": "cancelled"}).content.decode()
    assert "Other Person" in html and "Zoe Quill" not in html
    BookingFactory(service=service, provider=booking.provider, start=ny(monday + timedelta(days=1), 9),
                   client_name="Next Day")
    day = monday.isoformat()
    html = admin_client.get("/admin/bookings/", {"start_from": day, "start_to": day}).content.decode()
    assert "Zoe Quill" in html and "Next Day" not in html
    export = admin_client.get("/admin/bookings/", {"export": "csv"})
    assert export.status_code == 200 and b"Zoe Quill" in b"".join(export.streaming_content)


def test_booking_page_shows_answers_and_approve_works(admin_client, booking):
    html = admin_client.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    assert "Knee pain after running" in html and ", version 1)" in html
    assert "Approve" in html and "Decline" in html
    response = admin_client.post(f"/admin/bookings/action/{booking.pk}/approve/")
    assert response.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    # Approving twice is refused with a message, not an error page.
    response = admin_client.post(f"/admin/bookings/action/{booking.pk}/approve/", follow=True)
    assert response.status_code == 200 and "not possible" in response.content.decode()
    assert admin_client.get(f"/admin/bookings/action/{booking.pk}/approve/").status_code == 405


def test_actions_need_the_manage_permission(client, django_user_model, booking):
    user = django_user_model.objects.create_user("viewer", "viewer@example.com", "pw")
    group = Group.objects.create(name="Viewers")
    group.permissions.add(Permission.objects.get(codename="access_admin"),
                          Permission.objects.get(codename="view_booking"))
    user.groups.add(group)
    client.force_login(user)
    assert client.get(f"/admin/bookings/inspect/{booking.pk}/").status_code == 200
    html = client.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    assert "Approve" not in html
    # Wagtail answers a refused permission by redirecting to the dashboard with a message.
    response = client.post(f"/admin/bookings/action/{booking.pk}/approve/")
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"
    assert Booking.objects.get(pk=booking.pk).status == "requested"
    assert client.get("/admin/bookings/new/").status_code in (302, 403)


def test_staff_creates_a_booking_under_the_same_conflict_rules(admin_client, booking, service, provider, monday):
    data = {"service": service.pk, "provider": provider.pk, "start": f"{monday.isoformat()} 10:15",
            "client_name": "Walk In", "client_email": "walkin@example.com", "client_phone": "",
            "client_timezone": "America/New_York", "staff_notes": ""}
    # The sandbox's TIME_ZONE is America/New_York, so 10:15 overlaps Zoe's 10:00-10:30.
    response = admin_client.post("/admin/bookings/new/", data)
    assert response.status_code == 200 and "busy at that time" in response.content.decode()
    data["start"] = f"{monday.isoformat()} 18:00"  # outside working hours is fine for staff
    response = admin_client.post("/admin/bookings/new/", data)
    assert response.status_code == 302
    assert Booking.objects.get(client_name="Walk In").status == "confirmed"


def test_synced_busy_blocks_are_read_only(admin_client, provider):
    start = timezone.now() + timedelta(days=3)
    synced = BusyBlock.objects.create(provider=provider, title="Dentist", starts_at=start,
                                      ends_at=start + timedelta(hours=1), source="google", external_id="evt1")
    url = f"/admin/snippets/wagtail_booking/busyblock/edit/{synced.pk}/"
    html = admin_client.get(url).content.decode()
    assert "Synced from Google Calendar" in html and "read-only" in html
    admin_client.post(url, {"provider": provider.pk, "title": "Changed", "starts_at": "", "ends_at": ""})
    assert BusyBlock.objects.get(pk=synced.pk).title == "Dentist"


def test_setup_snippets_list_search_and_export(admin_client, service):
    html = admin_client.get("/admin/snippets/wagtail_booking/service/", {"q": "consult"}).content.decode()
    assert "Consultation" in html
    export = admin_client.get("/admin/snippets/wagtail_booking/service/", {"export": "xlsx"})
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]
    assert admin_client.get("/admin/snippets/wagtail_booking/provider/").status_code == 200
    assert admin_client.get("/admin/snippets/wagtail_booking/intakeform/add/").status_code == 200


def test_outcomes_only_once_the_appointment_has_started(admin_client, admin_user, service, monday, time_machine):
    booking = BookingFactory(service=service, provider=service.providers.get(), start=ny(monday, 10),
                             client_name="Future Client")
    page = f"/admin/bookings/inspect/{booking.pk}/"
    html = admin_client.get(page).content.decode()
    assert "Mark no-show" not in html and "Mark completed" not in html and "Cancel booking" in html
    response = admin_client.post(f"/admin/bookings/action/{booking.pk}/no_show/", follow=True)
    assert "only be recorded once it has started" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    with pytest.raises(services.NotAllowed):
        services.mark_outcome(booking, "completed")
    time_machine.move_to(booking.start + timedelta(minutes=5), tick=False)
    admin_client.force_login(admin_user)  # two weeks on, the earlier session has expired
    html = admin_client.get(page).content.decode()
    assert "Mark no-show" in html and "Mark completed" in html
    admin_client.post(f"/admin/bookings/action/{booking.pk}/completed/")
    assert Booking.objects.get(pk=booking.pk).status == "completed"


def test_destructive_actions_say_what_happens_before_staff_confirm(admin_client, booking):
    """Decline, cancel and no-show open a page saying the consequence; only its POST acts."""
    inspect = admin_client.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    url = f"/admin/bookings/action/{booking.pk}/decline/"
    assert f'href="{url}"' in inspect  # a link to the confirmation, not a one-click form
    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "There is no payment to refund. The client is told by email." in html
    assert "Yes: Decline" in html and booking.reference in html
    assert Booking.objects.get(pk=booking.pk).status == "requested"
    admin_client.post(url)
    assert Booking.objects.get(pk=booking.pk).status == "declined"
