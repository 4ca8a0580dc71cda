"""The public API's series endpoints: preview with conflicts and alternatives, then book all or skip."""

import json
from datetime import date, timedelta

import pytest

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking, BookingSeries
from wagtail_booking.snippets.models import DateOverride

pytestmark = pytest.mark.django_db
THU = date(2027, 3, 11)


@pytest.fixture
def coaching():
    maya = ProviderFactory(name="Maya")
    service = ServiceFactory(name="Coaching", providers=[maya], allow_series=True)
    BookingFactory(service=service, provider=maya, start=ny(THU + timedelta(weeks=1), 10))
    DateOverride.objects.create(provider=maya, date=THU + timedelta(weeks=2), closed=True)
    return service, maya


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def body(service, **extra):
    return {"service": service.pk, "start": ny(THU, 10).isoformat(), "timezone": "Europe/Paris", "count": 4,
            "name": "Ann", "email": "ann@example.com", **extra}


def test_preview_lists_each_date_in_the_clients_zone_with_conflicts_and_alternatives(client, coaching):
    service, maya = coaching
    response = post(client, "/booking/api/series/preview", body(service))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["provider"] == maya.pk and data["capped"] is False
    # 10:00 in New York is 16:00 in Paris, then 15:00 in the week (14-28 March) New York is on summer time and
    # Paris is not yet, then 16:00 again once Paris changes too.
    assert [item["start"] for item in data["occurrences"]] == [
        "2027-03-11T16:00:00+01:00", "2027-03-18T15:00:00+01:00", "2027-03-25T15:00:00+01:00",
        "2027-04-01T16:00:00+02:00"]
    assert [item["available"] for item in data["occurrences"]] == [True, False, False, True]
    busy, closed = data["occurrences"][1:3]
    assert (busy["reason"], closed["reason"]) == ("busy", "closed")
    assert [alt["start"] for alt in busy["alternatives"]][:2] == ["2027-03-18T14:30:00+01:00",
                                                                   "2027-03-18T15:30:00+01:00"]
    assert closed["alternatives"] == []


def test_all_or_nothing_answers_409_listing_the_dates_and_books_nothing(client, coaching):
    service, _maya = coaching
    response = post(client, "/booking/api/series", body(service))
    assert response.status_code == 409
    data = response.json()
    assert [item["start"][:10] for item in data["conflicts"]] == ["2027-03-18", "2027-03-25"]
    assert "Choose another time for each, or skip them" in data["detail"]
    assert not BookingSeries.objects.exists()


def test_skip_with_a_replacement_books_the_rest(client, coaching):
    service, _maya = coaching
    replacement = {"start": ny(THU + timedelta(weeks=1), 10).isoformat(),
                   "replacement": ny(THU + timedelta(weeks=1), 11).isoformat()}
    response = post(client, "/booking/api/series", body(service, on_conflict="skip", replacements=[replacement]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert [row["start"] for row in data["bookings"]] == [
        "2027-03-11T16:00:00+01:00", "2027-03-18T16:00:00+01:00", "2027-04-01T16:00:00+02:00"]
    assert data["skipped"] == ["2027-03-25T15:00:00+01:00"]
    assert all(row["status"] == "confirmed" and row["manage_token"] for row in data["bookings"])
    assert Booking.objects.filter(series_id=data["id"]).count() == 3


def test_a_service_without_series_and_bad_rules_are_clear_errors(client, coaching):
    service, _maya = coaching
    too_long = post(client, "/booking/api/series/preview", body(service, count=13))
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["field"] == "count"
    no_end = post(client, "/booking/api/series/preview", {**body(service), "count": None})
    assert no_end.status_code == 400 and no_end.json()["errors"][0]["field"] == "count"
    service.allow_series = False
    service.save()
    refused = post(client, "/booking/api/series/preview", body(service))
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "repeat"


@pytest.fixture
def massage():
    from tests.factories.resources import ResourceFactory, pool_of

    room = ResourceFactory(name="Cedar room")
    service = ServiceFactory(name="Massage", duration_minutes=60, providers=[ProviderFactory(name="Maya")],
                             allow_series=True, resource_pool=pool_of(room))
    facial = ServiceFactory(name="Facial", duration_minutes=60, providers=[ProviderFactory()])
    # Another service holds the one room at the second date; Maya is free then.
    BookingFactory(service=facial, provider=facial.providers.get(), start=ny(THU + timedelta(weeks=1), 10),
                   resource=room)
    return service, room


def test_a_series_of_a_room_service_lists_the_date_without_a_room_and_books_a_room_for_the_rest(client, massage):
    service, room = massage
    preview = post(client, "/booking/api/series/preview", body(service, count=3))
    assert preview.status_code == 200, preview.content
    no_room = preview.json()["occurrences"][1]
    assert (no_room["available"], no_room["reason"], no_room["reason_text"]) == (
        False, "no_room", "No room or equipment free at that time")
    # The room is taken 10:00-11:00 New York time (15:00-16:00 in Paris that week): the nearest free hours.
    assert [alt["start"] for alt in no_room["alternatives"]][:2] == ["2027-03-18T14:00:00+01:00",
                                                                      "2027-03-18T16:00:00+01:00"]
    refused = post(client, "/booking/api/series", body(service, count=3))
    assert refused.status_code == 409 and refused.json()["conflicts"][0]["reason"] == "no_room"
    assert not BookingSeries.objects.exists()
    booked = post(client, "/booking/api/series", body(service, count=3, on_conflict="skip"))
    assert booked.status_code == 201, booked.content
    data = booked.json()
    assert data["skipped"] == ["2027-03-18T15:00:00+01:00"]
    assert [row["resource"] for row in data["bookings"]] == [None, None]  # the service keeps its rooms private
    assert set(Booking.objects.filter(series_id=data["id"]).values_list("resource_id", flat=True)) == {room.pk}


def test_the_series_answer_names_the_room_where_the_service_tells_clients(client, massage):
    service, _room = massage
    service.show_resource_to_client = True
    service.save()
    response = post(client, "/booking/api/series", body(service, count=2, start=ny(THU, 14).isoformat()))
    assert response.status_code == 201, response.content
    assert [row["resource"] for row in response.json()["bookings"]] == ["Cedar room", "Cedar room"]
