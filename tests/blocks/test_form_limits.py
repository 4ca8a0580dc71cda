"""The booking form and the manage page refuse, as form errors, what the database could not store."""

from zoneinfo import ZoneInfo

import pytest

from tests.api.test_input_limits import long_email
from tests.blocks.test_booking_block import form_data
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import manage_token

pytestmark = pytest.mark.django_db

# Python accepts offsets up to 24 hours; PostgreSQL stores at most 15:59, and no zone is past +14:00.
FAR_OFFSETS = ["+16:00", "-16:00", "+23:59", "-14:30"]


def at_offset(moment, offset):
    return moment.replace(tzinfo=None).isoformat() + offset


@pytest.mark.parametrize("offset", FAR_OFFSETS)
def test_a_slot_with_an_impossible_offset_is_a_form_error(client, page, service, monday, offset):
    response = client.post(f"/booking/book/{service.pk}/", form_data(f"{at_offset(ny(monday, 10), offset)}|"))
    assert response.status_code == 400
    assert "A UTC offset runs from -14:00 to +14:00." in response.content.decode()
    assert not Booking.objects.exists()


def test_the_same_time_written_with_another_real_offset_books_it(client, page, service, monday):
    tokyo = ny(monday, 10).astimezone(ZoneInfo("Asia/Tokyo"))
    response = client.post(f"/booking/book/{service.pk}/", form_data(f"{tokyo.isoformat()}|"))
    assert response.status_code == 302
    assert Booking.objects.get().start == ny(monday, 10)


@pytest.mark.parametrize("length", [255, 320])
def test_an_email_longer_than_its_column_is_a_form_error(client, page, service, monday, length):
    email = long_email(length)
    response = client.post(f"/booking/book/{service.pk}/", form_data(f"{ny(monday, 10).isoformat()}|", email=email))
    assert response.status_code == 400
    assert "at most 254 characters" in response.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.parametrize("field, value, message", [
    ("name", "N" * 201, "at most 200 characters"),
    ("phone", "1" * 41, "at most 40 characters"),
    ("name", "Ann\u0000", "Null characters are not allowed."),
])
def test_other_contact_fields_are_held_to_their_columns(client, page, service, monday, field, value,
                                                       message):
    response = client.post(f"/booking/book/{service.pk}/",
                           form_data(f"{ny(monday, 10).isoformat()}|", **{field: value}))
    assert response.status_code == 400 and message in response.content.decode()


@pytest.mark.parametrize("offset", FAR_OFFSETS)
def test_moving_to_a_time_with_an_impossible_offset_says_why(client, service, monday, offset):
    booking = services.create_hold(service, ny(monday, 10), services.ClientDetails("A", "a@example.com", "UTC"))
    url = f"/booking/manage/{booking.reference}/{manage_token(booking)}/"
    response = client.post(url, {"action": "reschedule", "slot": f"{at_offset(ny(monday, 15), offset)}|",
                                 "confirm": "yes"})
    assert response.status_code == 400
    assert "A UTC offset runs from -14:00 to +14:00." in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).start == ny(monday, 10)
