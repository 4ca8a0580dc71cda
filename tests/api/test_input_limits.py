"""The API refuses, with a 400 naming the field, what the database could not store."""

import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

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


def test_text_that_is_not_valid_unicode_is_400_not_500(client, service, monday):
    body = json.dumps({"token": "?", "start": ny(monday, 15).isoformat()}).replace('"?"', '"\\ud800"')
    response = client.post("/booking/api/bookings/ABCDEFGH/reschedule", data=body, content_type="application/json")
    assert response.status_code == 400 and "token" in field_errors(response)


def _schema(client):
    return client.get("/booking/api/openapi.json").json()


def test_the_schema_states_the_limits_of_a_hold(client):
    hold = _schema(client)["components"]["schemas"]["HoldIn"]["properties"]
    assert (hold["name"]["maxLength"], hold["email"]["maxLength"], hold["phone"]["maxLength"]) == (200, 254, 40)
    assert hold["email"]["format"] == "email" and hold["phone"]["format"] == "phone"
    assert "Europe/Paris" in hold["timezone"]["enum"] and "Mars/Olympus" not in hold["timezone"]["enum"]
    assert "-14:00 to +14:00" in hold["start"]["description"]


@pytest.mark.parametrize("start, accepted", [
    ("{year}-03-01T09:00:00-05:00", True),
    ("{year}-03-01T09:00Z", True),
    ("{year}-03-01T09:00:00+14:00", True),
    ("{year}-03-01T09:00:00+14:01", False),
    ("{year}-03-01T09:00:00-16:00", False),
    ("{year}-03-01T09:00:00", False),
    ("{year}-02-30T09:00:00Z", False),
    ("{far}-03-01T09:00:00Z", False),
])
def test_the_schema_pattern_for_a_start_is_what_the_api_accepts(client, service, start, accepted):
    year = timezone.now().year
    start = start.format(year=year + 1, far=year + 4)
    pattern = _schema(client)["components"]["schemas"]["RescheduleIn"]["properties"]["start"]["pattern"]
    assert bool(re.search(pattern, start)) is accepted
    response = post(client, "/booking/api/bookings/ABCDEFGH/reschedule", {"token": "t", "start": start})
    assert response.status_code == (404 if accepted else 400)  # a schema-valid body reaches the lookup


@pytest.mark.parametrize("day, accepted", [("{year}-01-31", True), ("{year}-04-31", False), ("{far}-01-01", False),
                                           ("{past}-12-31", True), ("{early}-12-31", False)])
def test_the_schema_pattern_for_a_day_is_what_the_api_accepts(client, service, day, accepted):
    year = timezone.now().year
    day = day.format(year=year, far=year + 4, past=year - 1, early=year - 2)
    parameters = _schema(client)["paths"]["/booking/api/services/{service_id}/slots"]["get"]["parameters"]
    pattern = next(p for p in parameters if p["name"] == "start")["schema"]["pattern"]
    assert bool(re.search(pattern, day)) is accepted
    response = client.get(f"/booking/api/services/{service.pk}/slots", {"start": day, "end": day, "tz": "UTC"})
    assert response.status_code == (200 if accepted else 400)
