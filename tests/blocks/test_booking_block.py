"""The booking block on a page, used without JavaScript (plain GET and POST forms)."""

import re

import pytest

from tests.factories.booking import ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking

pytestmark = pytest.mark.django_db


def form_data(slot, **extra):
    data = {"slot": slot, "timezone": "Europe/London", "name": "Ann Client", "email": "ann@example.com",
            "phone": "", "intake_what_brings_you_here": "Sore back", "intake_preferred_contact": "Email",
            "next": "/"}
    data.update(extra)
    return data


def test_page_offers_days_with_free_slots_and_times_in_the_chosen_zone(client, page, service, monday):
    response = client.get("/", {"booking_service": service.pk, "booking_tz": "Europe/London",
                                "booking_date": monday.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Book a consultation" in html
    assert f'<option value="{monday.isoformat()}" selected>' in html
    # Saturdays and Sundays have no hours, so they are not offered.
    days = re.findall(r'name="booking_date">(.*?)</select>', html, re.S)[0]
    assert "Saturday" not in days and "Sunday" not in days
    times = re.findall(r'<span>(\d\d:\d\d)</span>', html)
    assert times[0] in ("14:00", "13:00")  # 09:00 New York in London (13:00 in the weeks the DST dates differ)
    assert 'for="id_name"' in html and 'name="csrfmiddlewaretoken"' in html


def test_booking_without_javascript_end_to_end(client, page, service, monday):
    slot = f"{ny(monday, 10).isoformat()}|"
    response = client.post(f"/booking/book/{service.pk}/", form_data(slot))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == "confirmed" and booking.client_timezone == "Europe/London"
    assert {a["field"]: a["value"] for a in booking.intake_answers}["what_brings_you_here"] == "Sore back"
    confirmation = client.get(response["Location"])
    text = confirmation.content.decode()
    assert "You&#x27;re booked" in text or "You're booked" in text
    assert booking.reference in text and "Change or cancel" in text


def test_form_errors_are_shown_next_to_fields_not_a_500(client, page, service, monday):
    response = client.post(f"/booking/book/{service.pk}/", form_data(f"{ny(monday, 10).isoformat()}|",
                                                                     email="not-an-email",
                                                                     intake_what_brings_you_here=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html and "This field is required." in html
    assert 'value="Ann Client"' in html  # what the client typed is kept
    assert not Booking.objects.exists()


def test_garbage_slot_is_a_form_error(client, page, service):
    response = client.post(f"/booking/book/{service.pk}/", form_data("yesterday-ish|x"))
    assert response.status_code == 400 and "Choose one of the times shown." in response.content.decode()


def test_losing_a_race_shows_a_message_and_alternatives(client, page, service, monday):
    services.create_hold(service, ny(monday, 10), services.ClientDetails("First", "f@example.com", "UTC"))
    response = client.post(f"/booking/book/{service.pk}/", form_data(f"{ny(monday, 10).isoformat()}|"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "no longer available" in html and "nearest free times" in html
    assert html.count('type="radio" name="slot"') == 3
    assert 'value="Ann Client"' in html


def test_unknown_or_inactive_service_is_404(client, page, provider):
    inactive = ServiceFactory(providers=[provider], active=False)
    assert client.post(f"/booking/book/{inactive.pk}/", form_data("x")).status_code == 404
    assert client.post("/booking/book/999999/", form_data("x")).status_code == 404
    assert client.get("/booking/book/999999/").status_code == 405


def test_manage_link_cancels_and_reschedules(client, service, monday):
    from wagtail_booking.bookings.tokens import manage_token

    booking = services.create_hold(service, ny(monday, 10), services.ClientDetails("A", "a@example.com", "UTC"))
    url = f"/booking/manage/{booking.reference}/{manage_token(booking)}/"
    page = client.get(url).content.decode()
    assert booking.reference in page and "Move my booking" in page
    assert client.get(f"/booking/manage/{booking.reference}/wrong/").status_code == 404
    response = client.post(url, {"action": "reschedule", "slot": f"{ny(monday, 15).isoformat()}|",
                                 "confirm": "yes"})
    assert response.status_code == 200 and "has been moved" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).start == ny(monday, 15)
    response = client.post(url, {"action": "reschedule", "slot": "nonsense"})
    assert response.status_code == 400
    response = client.post(url, {"action": "cancel", "confirm": "yes"})
    assert "is cancelled" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_form_posts_are_rate_limited_per_address(client, page, service, monday):
    from django.test import override_settings

    with override_settings(WAGTAIL_BOOKING={"RATE_LIMITS": {"write": 2}}):
        codes = [client.post(f"/booking/book/{service.pk}/", form_data("bad")).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_far_away_slot_is_a_form_error(client, page, service):
    response = client.post(f"/booking/book/{service.pk}/", form_data("9999-12-31T10:00:00+00:00|"))
    assert response.status_code == 400 and "Choose one of the times shown." in response.content.decode()


def test_manage_link_reschedules_a_service_with_required_intake_questions(client, page, service, monday):
    from wagtail_booking.bookings.tokens import manage_token

    booking = services.create_hold(service, ny(monday, 10), services.ClientDetails("A", "a@example.com", "UTC"))
    url = f"/booking/manage/{booking.reference}/{manage_token(booking)}/"
    response = client.post(url, {"action": "reschedule", "slot": f"{ny(monday, 15).isoformat()}|",
                                 "confirm": "yes"})
    assert response.status_code == 200 and Booking.objects.get(pk=booking.pk).start == ny(monday, 15)
    assert client.post(url, {"action": "reschedule", "slot": "9999-12-31T10:00:00+00:00|",
                             "confirm": "yes"}).status_code == 400
