"""The public JSON API: what integrators and the block's script see."""

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import next_monday, ny
from wagtail_booking.bookings.models import Booking

pytestmark = pytest.mark.django_db


def post(client, url, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json")


def hold_body(service, start, **extra):
    body = {"service": service.pk, "start": start.isoformat(), "name": "Ann", "email": "ann@example.com",
            "timezone": "Europe/Paris"}
    body.update(extra)
    return body


def test_services_lists_active_services_with_providers_and_questions(client, service, provider, intake_form):
    service.intake_form = intake_form
    service.save()
    ServiceFactory(name="Retired", active=False, providers=[provider])
    data = client.get("/booking/api/services").json()
    assert [s["name"] for s in data] == ["Consultation"]
    assert data[0]["providers"] == [{"id": provider.pk, "name": "Maya"}]
    assert [f["name"] for f in data[0]["intake_fields"]][:2] == ["what_brings_you_here", "preferred_contact"]
    assert data[0]["intake_fields"][1]["choices"] == ["Email", "Phone"]


@pytest.mark.parametrize(("today", "tokyo_times"), [
    (date(2027, 1, 6), ["23:00", "23:30"]),  # Monday 25 January: New York is UTC-5, 09:00 is 23:00 in Tokyo
    (date(2027, 7, 7), ["22:00", "22:30", "23:00", "23:30"]),  # Monday 26 July: UTC-4, 09:00 is 22:00 in Tokyo
])
def test_slots_carry_the_offset_of_the_requested_zone(client, service, time_machine, today, tokyo_times):
    time_machine.move_to(ny(today, 10))
    monday = next_monday()
    response = client.get(f"/booking/api/services/{service.pk}/slots",
                          {"start": monday.isoformat(), "end": monday.isoformat(), "tz": "Asia/Tokyo"})
    assert response.status_code == 200
    # Monday 09:00-17:00 New York seen from Tokyo: only the part of the New York day that is still Monday there.
    assert [s["start"] for s in response.json()["slots"]] == [f"{monday}T{t}:00+09:00" for t in tokyo_times]


def test_slots_for_a_provider_and_the_whole_day_in_its_zone(client, service, provider, monday):
    response = client.get(f"/booking/api/services/{service.pk}/slots",
                          {"start": monday.isoformat(), "end": monday.isoformat(), "tz": "America/New_York",
                           "provider": provider.pk})
    slots = response.json()["slots"]
    assert len(slots) == 16
    assert slots[0] == {"start": ny(monday, 9).isoformat(), "end": ny(monday, 9, 30).isoformat(),
                        "provider": provider.pk}


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2027-02-30", "end": "2027-03-01", "tz": "UTC"}, "start"),
    ({"start": "2027-03-01", "end": "tomorrow", "tz": "UTC"}, "end"),
    ({"start": "2027-03-01", "end": "2027-03-02", "tz": "Mars/Olympus"}, "tz"),
    ({"start": "2027-03-01", "end": "2027-03-02"}, "tz"),
    ({"start": "2027-03-05", "end": "2027-03-01", "tz": "UTC"}, "end"),
    ({"start": "2027-01-01", "end": "2027-03-04", "tz": "UTC"}, "end"),
    ({"start": "2027-03-01", "end": "2027-03-02", "tz": "UTC", "provider": "abc"}, "provider"),
])
def test_bad_slot_queries_are_400_with_the_field(client, service, params, field):
    response = client.get(f"/booking/api/services/{service.pk}/slots", params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and field in [error["field"] for error in body["errors"]]
    assert all(error["message"] for error in body["errors"])


def test_sixty_two_days_is_allowed(client, service):
    response = client.get(f"/booking/api/services/{service.pk}/slots",
                          {"start": "2027-01-01", "end": "2027-03-03", "tz": "UTC"})
    assert response.status_code == 200


def test_unknown_service_or_provider_is_404(client, service):
    params = {"start": "2027-03-01", "end": "2027-03-02", "tz": "UTC"}
    assert client.get("/booking/api/services/999999/slots", params).status_code == 404
    assert client.get("/booking/api/services/abc/slots", params).status_code in (400, 404)
    response = client.get(f"/booking/api/services/{service.pk}/slots", {**params, "provider": 999999})
    assert response.status_code == 404 and "999999" in response.json()["detail"]


def test_hold_for_a_free_service_is_confirmed(client, service, monday):
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["next_step"] == "confirmed" and body["checkout_url"] is None
    assert body["start"] == ny(monday, 10).astimezone(ZoneInfo("Europe/Paris")).isoformat()  # in the client's zone
    assert Booking.objects.get(reference=body["id"]).status == "confirmed"


def test_hold_on_a_taken_slot_is_409_with_three_alternatives(client, service, monday):
    assert post(client, "/booking/api/holds", hold_body(service, ny(monday, 10))).status_code == 201
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10), email="bob@example.com"))
    assert response.status_code == 409
    body = response.json()
    assert "no longer available" in body["detail"]
    assert len(body["alternatives"]) == 3
    assert all(a["start"].endswith(("+01:00", "+02:00")) for a in body["alternatives"])


def test_request_service_awaits_approval(client, provider, monday):
    service = ServiceFactory(providers=[provider], booking_mode="request")
    body = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10))).json()
    assert body["next_step"] == "awaiting_approval" and body["status"] == "requested"


@pytest.mark.parametrize("body", [
    "{not json",
    "[]",
    '"just a string"',
    {"service": "one"},
    {"service": 1, "start": "2027-02-30T10:00:00Z", "name": "A", "email": "a@b.co", "timezone": "UTC"},
    {"service": 1, "start": "yesterday", "name": "A", "email": "a@b.co", "timezone": "UTC"},
])
def test_malformed_holds_are_400(client, service, body):
    response = post(client, "/booking/api/holds", body)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_hold_field_errors_name_every_field(client, service, monday):
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10), name=" ", email="nope",
                                                            phone="12", timezone="Nowhere/City"))
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"name", "email", "phone", "timezone"} <= fields
    assert not Booking.objects.exists()


def test_hold_with_naive_time_unknown_service_unknown_provider(client, service, monday):
    naive = hold_body(service, ny(monday, 10))
    naive["start"] = naive["start"][:19]
    response = post(client, "/booking/api/holds", naive)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "start"
    assert post(client, "/booking/api/holds", {**hold_body(service, ny(monday, 10)), "service": 999}).status_code == 404
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10), provider=999))
    assert response.status_code == 404


def test_hold_for_a_provider_who_does_not_offer_the_service_is_404_like_for_slots(client, service, monday):
    stranger = ProviderFactory(name="Stranger")
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10), provider=stranger.pk))
    assert response.status_code == 404 and response.json()["detail"] == "Stranger does not offer Consultation."


def test_hold_at_a_time_outside_hours_is_409(client, service, monday):
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 3)))
    assert response.status_code == 409


def test_intake_answers_are_validated(client, service, intake_form, monday):
    service.intake_form = intake_form
    service.save()
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10), answers={
        "preferred_contact": "Carrier pigeon", "mobile": "555"}))
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"answers.what_brings_you_here", "answers.preferred_contact", "answers.mobile"} <= fields
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10), answers="text"))
    assert response.status_code == 400


def test_paid_service_without_payment_setup_is_409_with_reason(client, provider, monday):
    service = ServiceFactory(providers=[provider], price=80, deposit_kind="percent", deposit_value=25)
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10)))
    assert response.status_code == 409 and "payment" in response.json()["detail"]


def test_cancel_and_reschedule_need_the_token(client, service, monday):
    body = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10))).json()
    url = f"/booking/api/bookings/{body['id']}"
    assert post(client, f"{url}/cancel", {"token": "wrong"}).status_code == 403
    assert post(client, f"{url}/cancel", {}).status_code == 400
    assert post(client, "/booking/api/bookings/NOPE1234/cancel", {"token": "x"}).status_code == 404
    moved = post(client, f"{url}/reschedule", {"token": body["manage_token"], "start": ny(monday, 15).isoformat()})
    assert moved.status_code == 200 and moved.json()["start"].startswith(f"{monday.isoformat()}T2")  # 21:00 Paris
    bad = post(client, f"{url}/reschedule", {"token": body["manage_token"], "start": "2027-13-01T00:00:00Z"})
    assert bad.status_code == 400
    cancelled = post(client, f"{url}/cancel", {"token": body["manage_token"]})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = post(client, f"{url}/cancel", {"token": body["manage_token"]})
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]


def test_reschedule_onto_a_taken_time_is_409_and_keeps_the_booking(client, service, monday):
    mine = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10))).json()
    post(client, "/booking/api/holds", hold_body(service, ny(monday, 11)))
    response = post(client, f"/booking/api/bookings/{mine['id']}/reschedule",
                    {"token": mine["manage_token"], "start": ny(monday, 11).isoformat()})
    assert response.status_code == 409 and response.json()["alternatives"]
    assert Booking.objects.get(reference=mine["id"]).start == ny(monday, 10)


def test_cancel_after_the_cutoff_is_refused(client, provider):
    from django.utils import timezone

    service = ServiceFactory(providers=[provider], cancellation_cutoff_hours=24 * 30)
    start = timezone.now() + timedelta(days=10)
    from wagtail_booking.bookings import services
    from wagtail_booking.bookings.tokens import manage_token

    booking = services.create_by_staff(service, provider, start.replace(microsecond=0), services.ClientDetails(
        name="A", email="a@example.com", timezone="UTC"))
    response = post(client, f"/booking/api/bookings/{booking.reference}/cancel", {"token": manage_token(booking)})
    assert response.status_code == 409 and "720 hours" in response.json()["detail"]


def test_rate_limit_answers_429_with_retry_after(client, service):
    with override_settings(WAGTAIL_BOOKING={"RATE_LIMITS": {"read": 3, "write": 3}}):
        codes = [client.get("/booking/api/services").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.get("/booking/api/services")
        assert 1 <= int(response["Retry-After"]) <= 60
        other = client.get("/booking/api/services", REMOTE_ADDR="10.0.0.9")
        assert other.status_code == 200  # counted per address


def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/booking/api/openapi.json").json()
    assert {"/booking/api/services", "/booking/api/services/{service_id}/slots", "/booking/api/holds",
            "/booking/api/bookings/{reference}/cancel", "/booking/api/bookings/{reference}/reschedule"} <= set(
        schema["paths"])


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_dates_at_the_ends_of_the_calendar_are_400_not_500(client, service, day):
    response = client.get(f"/booking/api/services/{service.pk}/slots", {"start": day, "end": day, "tz": "UTC"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "start"
    for start in (f"{day}T12:00:00+00:00",):
        response = post(client, "/booking/api/holds", {**hold_body(service, ny(next_monday(), 10)), "start": start})
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "start"


def test_nul_characters_and_odd_references_are_refused_cleanly(client, service, monday):
    response = post(client, "/booking/api/holds", hold_body(service, ny(monday, 10), name="Ann\x00"))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "name"
    assert post(client, "/booking/api/bookings/AB%00C/cancel", {"token": "x"}).status_code == 404
    assert client.get("/booking/manage/AB%00CDEFG/token/").status_code == 404
    assert client.get("/booking/pay/AB%00CDEFG/token/").status_code == 404
