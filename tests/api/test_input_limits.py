"""The API refuses, with a 400 naming the field, what the database could not store."""

import json
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import ny
from wagtail_booking.bookings.models import Booking

pytestmark = pytest.mark.django_db

FAR_OFFSETS = ["+16:00", "-16:00", "+23:59", "-14:30"]


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def long_email(length):
    """A well-formed address of ``length`` characters (local part 64, labels of at most 62)."""
    for size in range(length):
        labels = ["b" * 62] * (size // 62) + (["b" * (size % 62)] if size % 62 else [])
        email = "a" * 64 + "@" + ".".join(labels) + ".com"
        if len(email) == length:
            return email
    raise ValueError(length)


def at_offset(moment, offset):
    return moment.replace(tzinfo=None).isoformat() + offset


def hold(client, service, start, **extra):
    body = {"service": service.pk, "start": start, "name": "Ann", "email": "ann@example.com",
            "timezone": "Europe/Paris", **extra}
    return post(client, "/booking/api/holds", body)


def field_errors(response):
    return {error["field"]: error["message"] for error in response.json()["errors"]}


@pytest.mark.parametrize("offset", FAR_OFFSETS)
def test_a_hold_with_an_impossible_offset_is_400_on_start(client, service, monday, offset):
    response = hold(client, service, at_offset(ny(monday, 10), offset))
    assert response.status_code == 400
    assert "-14:00 to +14:00" in field_errors(response)["start"]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("offset", FAR_OFFSETS)
def test_a_reschedule_with_an_impossible_offset_is_400_and_keeps_the_time(client, service, monday, offset):
    booked = hold(client, service, ny(monday, 10).isoformat()).json()
    response = post(client, f"/booking/api/bookings/{booked['id']}/reschedule",
                    {"token": booked["manage_token"], "start": at_offset(ny(monday, 15), offset)})
    assert response.status_code == 400
    assert "-14:00 to +14:00" in field_errors(response)["start"]
    assert Booking.objects.get(reference=booked["id"]).start == ny(monday, 10)


def test_an_edge_offset_that_names_the_same_instant_books_it(client, service, monday):
    kiritimati = ny(monday, 10).astimezone(ZoneInfo("Pacific/Kiritimati"))  # +14:00
    response = hold(client, service, kiritimati.isoformat())
    assert response.status_code == 201, response.content
    assert Booking.objects.get().start == ny(monday, 10)


@pytest.mark.parametrize("field, value", [
    ("email", long_email(255)),  # Django's validator allows up to 320 characters, the column 254
    ("email", long_email(320)),
    ("name", "N" * 201),
    ("phone", "1" * 41),
    ("timezone", "Europe/" + "x" * 100),
])
def test_text_longer_than_its_column_is_400_on_the_field(client, service, monday, field, value):
    response = hold(client, service, ny(monday, 10).isoformat(), **{field: value})
    assert response.status_code == 400 and field in field_errors(response)
