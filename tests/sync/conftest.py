"""The real google-auth-oauthlib and google-api-python-client talking to the loopback Google fake."""

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from fakes.google_server import FakeGoogle

from wagtail_booking.sync.models import CalendarConnection

CLIENT_ID = "test-client.apps.googleusercontent.com"
CLIENT_SECRET = "test-client-secret"
ACCOUNT = "maya@example.com"


@pytest.fixture(scope="session")
def google_server():
    fake = FakeGoogle(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, account=ACCOUNT)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def google(google_server, settings, monkeypatch):
    """The fake, reset, with the settings that point the SDKs at it; back-off sleeps are recorded, not slept."""
    import googleapiclient.http

    google_server.reset()
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib wants HTTPS; the fake is plain HTTP
    settings.GOOGLE_OAUTH_CLIENT_ID = CLIENT_ID
    settings.GOOGLE_OAUTH_CLIENT_SECRET = CLIENT_SECRET
    settings.GOOGLE_API_BASE = google_server.url
    settings.GOOGLE_AUTH_URI = f"{google_server.url}/o/oauth2/auth"
    settings.GOOGLE_TOKEN_URI = f"{google_server.url}/token"
    settings.GOOGLE_REVOKE_URI = f"{google_server.url}/revoke"
    settings.GOOGLE_PUSH_BASE_URL = "https://testserver"
    google_server.sleeps = []
    monkeypatch.setattr(googleapiclient.http, "time", SimpleNamespace(sleep=google_server.sleeps.append))
    return google_server


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("owner", "owner@example.com", "pw")
    client.force_login(user)
    return client


def walk_oauth(admin_client, provider):
    """What the owner's browser does: Connect -> Google's consent (the fake approves at once) -> our callback."""
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connect/google/")
    assert response.status_code == 302, response.content
    consent = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert consent.status_code == 302
    back = urlsplit(consent.headers["Location"])
    return admin_client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})


@pytest.fixture
def connected(google, admin_client, provider, django_capture_on_commit_callbacks):
    """``provider`` connected to the fake account, calendars listed and synced once (Huey runs immediately)."""
    response = walk_oauth(admin_client, provider)
    assert response.status_code == 302, response.content
    connection = CalendarConnection.objects.get(provider=provider, kind="google")
    assert connection.status == CalendarConnection.Status.CONNECTED, connection.message
    return connection


# --- CalDAV: a real Radicale server (sandbox/fakes/radicale_server.py), one per test session ---

RADICALE_USER, RADICALE_PASSWORD = "maya", "app-password-maya"


@pytest.fixture(scope="session")
def radicale_server():
    from fakes.radicale_server import RadicaleServer

    server = RadicaleServer(users={RADICALE_USER: RADICALE_PASSWORD})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dav(radicale_server):
    """A fresh calendar on the Radicale server, and the owner's own CalDAV client (not our backend) to change it
    and read it, as the provider's phone or desktop calendar would."""
    from tests.sync.radicale import OwnerCalendar

    owner = OwnerCalendar(radicale_server.url, RADICALE_USER, RADICALE_PASSWORD)
    yield owner
    owner.close()


# --- Microsoft Graph: the loopback fake (sandbox/fakes/graph_server.py), over TLS with its own CA ---

MS_CLIENT_ID, MS_CLIENT_SECRET = "5f1c0de7-test-client", "test-ms-secret"
MS_ACCOUNT, OUTLOOK_CALENDAR = "maya@contoso.com", "AAMkCalendar"


@pytest.fixture(scope="session")
def graph_server():
    from fakes.graph_server import FakeGraph

    fake = FakeGraph(client_id=MS_CLIENT_ID, client_secret=MS_CLIENT_SECRET, account=MS_ACCOUNT)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def graph(graph_server, settings, monkeypatch):
    """The fake, reset, with the settings that point msal and Graph calls at it."""
    graph_server.reset()
    graph_server.page_size = 50
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", graph_server.ca_file)  # the fake's own CA; msal wants HTTPS
    settings.MICROSOFT_CLIENT_ID = MS_CLIENT_ID
    settings.MICROSOFT_CLIENT_SECRET = MS_CLIENT_SECRET
    settings.MICROSOFT_AUTHORITY_HOST = graph_server.url
    settings.MICROSOFT_GRAPH_URL = f"{graph_server.url}/v1.0"
    return graph_server
