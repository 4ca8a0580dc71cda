"""Connecting, refreshing, revoking and disconnecting, through the real google-auth-oauthlib flow."""

import json
from urllib.parse import parse_qs, urlsplit

import requests

from tests.sync.conftest import ACCOUNT
from wagtail_booking.snippets.models import BusyBlock
from wagtail_booking.sync import crypto
from wagtail_booking.sync.models import CalendarConnection
from wagtail_booking.tasks import calendar_sync_task as google_sync_task


def test_connect_uses_pkce_and_stores_credentials_encrypted(google, admin_client, provider):
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connect/google/")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["access_type"] == ["offline"]
    pending = CalendarConnection.objects.get(provider=provider)
    assert pending.status == "pending" and pending.oauth_state == query["state"][0]
    assert len(crypto.decrypt(pending.oauth_verifier)) >= 43  # the PKCE verifier, kept server-side

    consent = requests.get(response["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(consent.headers["Location"])
    response = admin_client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})

    assert response.status_code == 302 and response["Location"].endswith(f"/calendar-sync/{provider.pk}/")
    connection = CalendarConnection.objects.get(provider=provider)
    assert connection.status == "connected" and connection.account == ACCOUNT
    assert connection.oauth_state == "" and connection.oauth_verifier == ""
    stored = json.loads(crypto.decrypt(connection.credentials))
    assert stored["refresh_token"] in google.refresh_tokens
    assert stored["refresh_token"] not in connection.credentials  # encrypted at rest
    assert [(c.remote_id, c.busy, c.receives_bookings) for c in connection.calendars.all()] == [(ACCOUNT, True, True)]


def test_callback_rejects_a_tampered_verifier_and_unknown_state(google, admin_client, provider):
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connect/google/")
    connection = CalendarConnection.objects.get(provider=provider)
    connection.oauth_verifier = crypto.encrypt("x" * 50)
    connection.save()
    consent = requests.get(response["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(consent.headers["Location"])
    response = admin_client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()}, follow=True)
    assert "Google did not accept the sign-in" in response.content.decode()
    assert not CalendarConnection.objects.filter(provider=provider, status="connected").exists()

    response = admin_client.get("/admin/booking/calendar-sync/callback/", {"state": "forged", "code": "x"},
                                follow=True)
    assert "another browser session" in response.content.decode()


def test_expired_access_token_is_refreshed_and_saved(connected, google):
    before = json.loads(crypto.decrypt(connected.credentials))["token"]
    google.expire_access_tokens()

    google_sync_task(connected.pk)

    connected.refresh_from_db()
    assert connected.status == "connected" and connected.last_synced_at is not None
    after = json.loads(crypto.decrypt(connected.credentials))["token"]
    assert after != before and after in google.access_tokens


def test_revoked_grant_marks_reconnect_needed_and_keeps_busy_blocks(connected, google, provider, monday):
    from tests.helpers import ny

    google.add_event(ACCOUNT, ny(monday, 10), ny(monday, 11), summary="Dentist")
    google_sync_task(connected.pk)
    assert BusyBlock.objects.filter(provider=provider, source="google").count() == 1

    google.revoke_all()
    google_sync_task(connected.pk)

    connected.refresh_from_db()
    assert connected.status == "reconnect"
    assert "Connect again" in connected.message
    assert BusyBlock.objects.filter(provider=provider, source="google").count() == 1  # last known busy time


def test_disconnect_revokes_stops_channels_and_forgets(connected, google, admin_client, provider, monday):
    from tests.helpers import ny

    google.add_event(ACCOUNT, ny(monday, 10), ny(monday, 11))
    google_sync_task(connected.pk)
    refresh = json.loads(crypto.decrypt(CalendarConnection.objects.get(pk=connected.pk).credentials))["refresh_token"]
    assert google.channels

    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connections/{connected.pk}/disconnect/")

    assert response.status_code == 302
    assert google.refresh_tokens[refresh]["revoked"] and not google.channels
    assert not CalendarConnection.objects.filter(pk=connected.pk).exists()  # credentials and all forgotten
    assert not BusyBlock.objects.filter(provider=provider, source="google").exists()
