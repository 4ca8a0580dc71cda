"""API keys: shown once and stored hashed, revocable, scoped, last use recorded, one business per key."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import GroupSitePermission

from tests.api.conftest import bearer
from tests.factories.booking import BookingFactory
from tests.helpers import ny
from wagtail_booking.api.models import ApiKey

pytestmark = pytest.mark.django_db


def booking_body(service, start, **extra):
    return {"service": service.pk, "start": start.isoformat(), "name": "Ann", "email": "ann@example.com",
            "timezone": "Europe/Paris", **extra}


def post(client, url, body, key=None):
    return client.post(url, data=json.dumps(body), content_type="application/json", **(bearer(key) if key else {}))


# The key: shown once, stored hashed --------------------------------------------------------------------------


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_superuser("owner", "owner@example.com", "pw")


def test_the_admin_shows_a_new_key_once_and_stores_only_its_hash(client, owner, site_a):
    client.force_login(owner)
    response = client.post("/admin/booking/api-keys/new/", {"name": "Phone assistant", "site": site_a.pk,
                                                             "scopes": ["read", "book"]})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    full_key = response.context["full_key"]
    assert full_key.startswith("wbk_") and full_key in response.content.decode()
    assert "shown only once" in response.content.decode()
    api_key = ApiKey.objects.get()
    assert api_key.scopes == ["book", "read"] and api_key.created_by == owner
    # Nothing stored is the key, or its secret part.
    secret = full_key.rsplit("_", 1)[1]
    stored = json.dumps(list(ApiKey.objects.values()), default=str)
    assert full_key not in stored and secret not in stored
    # The list tells keys apart by their prefix, and never shows the key again.
    listing = client.get("/admin/booking/api-keys/").content.decode()
    assert f"wbk_{api_key.prefix}_" in listing and full_key not in listing and secret not in listing
    assert "Read bookings, Make bookings" in listing and "Never" in listing and "Active" in listing
    # ...and the key works.
    assert client.get("/booking/api/integrations/bookings", **bearer(full_key)).status_code == 200


def test_the_list_says_when_a_key_was_last_used(client, owner, make_key, time_machine):
    key = make_key(["read"])
    client.get("/booking/api/integrations/bookings", **bearer(key))
    time_machine.shift(timedelta(minutes=3))
    client.force_login(owner)
    assert "3\xa0minutes ago" in client.get("/admin/booking/api-keys/").content.decode()


def test_a_new_key_needs_a_name_and_a_business_of_the_user(client, django_user_model, site_a, site_b):
    staff = django_user_model.objects.create_user("staff", "staff@example.com", "pw", is_staff=True)
    group = Group.objects.create(name="Front desk A")
    group.permissions.add(Permission.objects.get(codename="access_admin"),
                          Permission.objects.get(codename="add_apikey"))
    GroupSitePermission.objects.create(group=group, site=site_a, permission=Permission.objects.get(
        codename="access_business", content_type__app_label="wagtail_booking"))
    staff.groups.add(group)
    client.force_login(staff)
    response = client.post("/admin/booking/api-keys/new/", {"name": "", "site": site_b.pk, "scopes": ["read"]})
    assert response.status_code == 200 and not ApiKey.objects.exists()
    assert set(response.context["form"].errors) == {"name", "site"}  # B is not among this user's businesses


# Revoking ----------------------------------------------------------------------------------------------------


def test_revoking_asks_first_then_refuses_the_key(client, owner, make_key):
    key = make_key(["read"])
    api_key = ApiKey.objects.get()
    client.force_login(owner)
    url = f"/admin/booking/api-keys/{api_key.pk}/revoke/"
    assert "cannot be undone" in client.get(url).content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None  # a GET only asks
    response = client.post(url)
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    refused = client.get("/booking/api/integrations/bookings", **bearer(key))
    assert refused.status_code == 401 and refused.json()["detail"] == "This API key is unknown or was revoked."
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert "Revoked" in client.get("/admin/booking/api-keys/").content.decode()


def test_revoking_needs_the_permission_and_a_key_of_ones_business(client, django_user_model, make_key, site_a,
                                                                   site_b):
    make_key(["read"], site=site_b)
    key_b = ApiKey.objects.get()
    staff = django_user_model.objects.create_user("staff", "staff@example.com", "pw", is_staff=True)
    group = Group.objects.create(name="Managers A")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupSitePermission.objects.create(group=group, site=site_a, permission=Permission.objects.get(
        codename="access_business", content_type__app_label="wagtail_booking"))
    staff.groups.add(group)
    client.force_login(staff)
    url = f"/admin/booking/api-keys/{key_b.pk}/revoke/"
    refused = client.post(url)  # no "delete API key" permission: Wagtail sends the user back with a message
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    group.permissions.add(Permission.objects.get(codename="delete_apikey"), Permission.objects.get(
        codename="view_apikey"))
    staff = django_user_model.objects.get(pk=staff.pk)  # permissions are cached on the user object
    client.force_login(staff)
    assert client.post(url).status_code == 404  # B's key is not this user's to see
    assert "No API keys yet." in client.get("/admin/booking/api-keys/").content.decode()
    key_b.refresh_from_db()
    assert key_b.revoked_at is None


def test_unknown_malformed_and_missing_keys_are_401_with_a_reason(client, make_key):
    key = make_key()
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for headers, detail in [({}, "Send an API key: Authorization: Bearer wbk_..."),
                            (bearer(forged), "This API key is unknown or was revoked."),
                            (bearer("wbk_nonsense"), "This API key is unknown or was revoked.")]:
        response = client.get("/booking/api/integrations/bookings", **headers)
        assert response.status_code == 401 and response.json()["detail"] == detail


# Scopes ------------------------------------------------------------------------------------------------------


def test_each_operation_needs_its_scope(client, make_key, service, monday):
    read_only, book_only = make_key(["read"]), make_key(["book"])
    booking = BookingFactory(service=service, provider=service.providers.get(), start=ny(monday, 14))
    denied = post(client, "/booking/api/integrations/bookings", booking_body(service, ny(monday, 10)), read_only)
    assert denied.status_code == 403 and denied.json()["detail"] == "This API key lacks the 'book' scope."
    assert client.get("/booking/api/integrations/bookings", **bearer(book_only)).json()["detail"] == (
        "This API key lacks the 'read' scope.")
    cancel = client.post(f"/booking/api/integrations/bookings/{booking.reference}/cancel", **bearer(book_only))
    assert cancel.status_code == 403 and "'manage'" in cancel.json()["detail"]
    assert post(client, "/booking/api/integrations/bookings", booking_body(service, ny(monday, 10)),
                book_only).status_code == 201
    booking.refresh_from_db()
    assert booking.status == "confirmed"


# Last used ---------------------------------------------------------------------------------------------------


def test_last_use_is_recorded_at_most_once_a_minute(client, make_key, time_machine):
    key = make_key(["read"])
    api_key = ApiKey.objects.get()
    assert api_key.last_used_at is None
    client.get("/booking/api/integrations/bookings", **bearer(key))
    api_key.refresh_from_db()
    first = api_key.last_used_at
    assert abs(first - timezone.now()) < timedelta(seconds=5)
    time_machine.shift(timedelta(seconds=30))
    client.get("/booking/api/integrations/bookings", **bearer(key))
    api_key.refresh_from_db()
    assert api_key.last_used_at == first  # within the minute: no write
    time_machine.shift(timedelta(seconds=45))
    client.get("/booking/api/services", **bearer(key))  # a key used on a public endpoint counts too
    api_key.refresh_from_db()
    assert api_key.last_used_at > first + timedelta(seconds=60)


# One business per key ----------------------------------------------------------------------------------------


def test_a_key_of_business_a_never_returns_business_b_data(client, make_key, service, service_b, monday):
    key_a = make_key()
    booking_b = BookingFactory(service=service_b, provider=service_b.providers.get(), start=ny(monday, 10),
                               client_email="bob@example.com")
    booking_a = BookingFactory(service=service, provider=service.providers.get(), start=ny(monday, 11))
    on_b = {"HTTP_HOST": "b.example", **bearer(key_a)}
    # Without a key the host decides: b.example is business B.
    assert [s["name"] for s in client.get("/booking/api/services", HTTP_HOST="b.example").json()] == [
        "B's consultation"]
    # With A's key, sent to B's host, everything answers for A.
    assert [s["name"] for s in client.get("/booking/api/services", **on_b).json()] == ["Consultation"]
    slots = client.get(f"/booking/api/services/{service_b.pk}/slots",
                       {"start": monday.isoformat(), "end": monday.isoformat(), "tz": "UTC"}, **on_b)
    assert slots.status_code == 404
    hold = post(client, "/booking/api/holds", booking_body(service_b, ny(monday, 10)), key_a)
    assert hold.status_code == 404
    created = client.post("/booking/api/integrations/bookings", data=json.dumps(booking_body(service_b, ny(
        monday, 10))), content_type="application/json", **on_b)
    assert created.status_code == 404 and "no bookable service" in created.json()["detail"]
    listed = client.get("/booking/api/integrations/bookings", **on_b).json()
    assert [b["reference"] for b in listed["items"]] == [booking_a.reference] and listed["count"] == 1
    assert client.get("/booking/api/integrations/bookings", {"client_email": "bob@example.com"},
                      **on_b).json()["count"] == 0
    assert client.get(f"/booking/api/integrations/bookings/{booking_b.reference}", **on_b).status_code == 404
    cancel = client.post(f"/booking/api/integrations/bookings/{booking_b.reference}/cancel", **on_b)
    assert cancel.status_code == 404
    booking_b.refresh_from_db()
    assert booking_b.status == "confirmed"


def test_the_public_api_works_unchanged_without_a_key(client, service, monday):
    response = client.get(f"/booking/api/services/{service.pk}/slots",
                          {"start": monday.isoformat(), "end": monday.isoformat(), "tz": "UTC"},
                          HTTP_AUTHORIZATION="Basic c3RhZ2luZzpzZWNyZXQ=")  # a staging site's password prompt
    assert response.status_code == 200 and response.json()["slots"]
    assert post(client, "/booking/api/holds", booking_body(service, ny(monday, 10))).status_code == 201


# Listing, errors, limits -------------------------------------------------------------------------------------


def test_bookings_list_filters_and_pages(client, make_key, service, monday):
    key = make_key(["read"])
    provider = service.providers.get()
    made = [BookingFactory(service=service, provider=provider, status=status, start=ny(monday, hour),
                           client_email=email)
            for hour, status, email in [(9, "confirmed", "ann@example.com"), (10, "cancelled", "bob@example.com"),
                                        (11, "confirmed", "Ann@Example.com"), (12, "confirmed", "cy@example.com")]]
    url = "/booking/api/integrations/bookings"
    page = client.get(url, {"status": "confirmed", "limit": 2}, **bearer(key)).json()
    assert page["count"] == 3 and [b["reference"] for b in page["items"]] == [made[0].reference, made[2].reference]
    page = client.get(url, {"status": "confirmed", "limit": 2, "offset": 2}, **bearer(key)).json()
    assert [b["reference"] for b in page["items"]] == [made[3].reference]
    page = client.get(url, {"client_email": "ANN@example.com"}, **bearer(key)).json()
    assert page["count"] == 2
    window = {"start_from": ny(monday, 10).isoformat(), "start_to": ny(monday, 12).isoformat()}
    page = client.get(url, window, **bearer(key)).json()
    assert [b["reference"] for b in page["items"]] == [made[1].reference, made[2].reference]
    item = page["items"][0]
    assert item["start"] == ny(monday, 10).isoformat() and item["service_name"] == "Consultation"


@pytest.mark.parametrize(("body", "field"), [
    ({"send_payment_link": "fax"}, "send_payment_link"),
    ({"hold_minutes": 0}, "hold_minutes"),
    ({"hold_minutes": 31}, "hold_minutes"),
    ({"email": "not an email"}, "email"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
])
def test_bad_bookings_are_400_with_the_field_and_reason(client, make_key, service, monday, body, field):
    response = post(client, "/booking/api/integrations/bookings", booking_body(service, ny(monday, 10), **body),
                    make_key(["book"]))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in [error["field"] for error in errors] and all(error["message"] for error in errors)


@pytest.mark.parametrize(("params", "field"), [({"status": "lost"}, "status"), ({"limit": 0}, "limit"),
                                               ({"start_from": "yesterday"}, "start_from")])
def test_bad_list_filters_are_400_with_the_field(client, make_key, params, field):
    response = client.get("/booking/api/integrations/bookings", params, **bearer(make_key(["read"])))
    assert response.status_code == 400 and field in [error["field"] for error in response.json()["errors"]]


def test_rate_limits_count_per_key(client, make_key, settings):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "RATE_LIMITS": {"read": 2}}
    first, second = make_key(["read"]), make_key(["read"])
    url = "/booking/api/integrations/bookings"
    assert [client.get(url, **bearer(first)).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url, **bearer(second)).status_code == 200  # same address, another key: its own allowance


def test_the_business_cancels_through_the_api_and_the_client_is_told(client, make_key, service, monday, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    key = make_key(["book", "manage"])
    created = post(client, "/booking/api/integrations/bookings", booking_body(service, ny(monday, 10)), key).json()
    assert created["status"] == "confirmed"
    url = f"/booking/api/integrations/bookings/{created['reference']}/cancel"
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(url, **bearer(key))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["refund"] is None
    to_client = [m.subject.split(":")[0] for m in mailoutbox if m.to == ["ann@example.com"]]
    assert to_client == ["Your booking was cancelled"]  # once (the provider gets their own staff email)
    again = client.post(url, **bearer(key))
    assert again.status_code == 409 and "cannot be cancelled" in again.json()["detail"]
