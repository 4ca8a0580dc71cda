"""Google SDK calls, and nothing else: the only module that imports googleapiclient and google-auth.

Every call goes through :func:`_execute`, which lets the SDK retry 429, 5xx and rate-limit 403 answers with
exponential back-off (``execute(num_retries=RETRIES)``) and turns what is left into three exceptions of the backend
contract (``backends/base.py``): :class:`ReconnectNeeded`, :class:`GoogleUnavailable` and :class:`SyncTokenExpired`.
Other ``HttpError``\\s (404, 409, 410 on an event) are returned as ``None``/``False`` by the functions that expect
them. A service object is built per task: httplib2 is not thread-safe.
"""

from __future__ import annotations

import json

import google_auth_httplib2
import httplib2
import requests
from django.conf import settings
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from .backends import base

SCOPES = ["https://www.googleapis.com/auth/calendar.events",
          "https://www.googleapis.com/auth/calendar.calendarlist.readonly"]
AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
TOKEN_URI = "https://oauth2.googleapis.com/token"
REVOKE_URI = "https://oauth2.googleapis.com/revoke"
RETRIES = 4
PAGE_SIZE = 250
TIMEOUT = 30
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}


class ReconnectNeeded(base.ReconnectNeeded):
    """The grant was revoked or expired (``invalid_grant``), or the account no longer gives access."""


class GoogleUnavailable(base.Unavailable):
    """Google kept answering 429/5xx, or could not be reached: try again later."""


class SyncTokenExpired(base.CursorExpired):
    """HTTP 410 on ``events.list``: forget what was synced from this calendar and sync it in full."""


def _setting(name, default=""):
    return getattr(settings, name, "") or default


def client_config() -> dict:
    return {"web": {"client_id": _setting("GOOGLE_OAUTH_CLIENT_ID"),
                    "client_secret": _setting("GOOGLE_OAUTH_CLIENT_SECRET"),
                    "auth_uri": _setting("GOOGLE_AUTH_URI", AUTH_URI),
                    "token_uri": _setting("GOOGLE_TOKEN_URI", TOKEN_URI)}}


def authorization_url(redirect_uri: str) -> tuple[str, str, str]:
    """Start the web flow: returns (url to send the browser to, state, PKCE code verifier)."""
    flow = Flow.from_client_config(client_config(), scopes=SCOPES, redirect_uri=redirect_uri)
    url, state = flow.authorization_url(access_type="offline", prompt="consent", include_granted_scopes="true")
    return url, state, flow.code_verifier


def exchange_code(redirect_uri: str, state: str, code_verifier: str, authorization_response: str) -> str:
    """Finish the web flow with the state and verifier kept from :func:`authorization_url`; returns creds JSON."""
    flow = Flow.from_client_config(client_config(), scopes=SCOPES, redirect_uri=redirect_uri, state=state,
                                   code_verifier=code_verifier)
    try:
        flow.fetch_token(authorization_response=authorization_response)
    except Exception as error:  # oauthlib raises a family of OAuth2Error, requests its own
        raise ReconnectNeeded(f"Google did not accept the sign-in: {error}") from error
    return flow.credentials.to_json()


def load_credentials(credentials_json: str) -> Credentials:
    info = json.loads(credentials_json)
    config = client_config()["web"]
    info.update(client_id=config["client_id"], client_secret=config["client_secret"])
    # google-auth ignores a stored token_uri on purpose; the endpoint comes from our settings.
    return Credentials.from_authorized_user_info(info).with_token_uri(config["token_uri"])


def dump_credentials(credentials: Credentials) -> str:
    return credentials.to_json()


def build_service(credentials: Credentials):
    """A Calendar v3 client from the bundled discovery document (no network), with a socket timeout."""
    api_base = _setting("GOOGLE_API_BASE")
    options = {"api_endpoint": api_base.rstrip("/") + "/calendar/v3/"} if api_base else None
    http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=TIMEOUT))
    return build("calendar", "v3", http=http, static_discovery=True, cache_discovery=False, client_options=options)


def revoke(credentials_json: str) -> None:
    """Revoke the refresh token at Google. Already revoked or unknown tokens are fine."""
    info = json.loads(credentials_json)
    token = info.get("refresh_token") or info.get("token")
    if not token:
        return
    try:
        requests.post(_setting("GOOGLE_REVOKE_URI", REVOKE_URI), params={"token": token}, timeout=TIMEOUT,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    except requests.RequestException as error:
        raise GoogleUnavailable(f"Could not reach Google to revoke access: {error}") from error


def _status(error: HttpError) -> int:
    return int(error.resp.status)


def _reason(error: HttpError) -> str:
    details = error.error_details if isinstance(error.error_details, list) else []
    return next((d.get("reason", "") for d in details if isinstance(d, dict)), "")


def _execute(request):
    try:
        return request.execute(num_retries=RETRIES)
    except RefreshError as error:
        raise ReconnectNeeded(str(error)) from error
    except HttpError as error:
        status = _status(error)
        if status == 401:
            raise ReconnectNeeded("Google no longer accepts the stored credentials.") from error
        if status == 429 or status >= 500 or (status == 403 and _reason(error) in RATE_LIMIT_REASONS):
            raise GoogleUnavailable(f"Google answered {status}: {error.reason}") from error
        raise
    except (TransportError, httplib2.HttpLib2Error, OSError) as error:
        raise GoogleUnavailable(f"Could not reach Google: {error}") from error


def list_calendars(service) -> list[dict]:
    items, page_token = [], None
    while True:
        page = _execute(service.calendarList().list(pageToken=page_token))
        items += page.get("items", [])
        page_token = page.get("nextPageToken")
        if not page_token:
            return items


def list_events(service, calendar_id: str, sync_token: str = "") -> tuple[list[dict], str]:
    """Every event changed since ``sync_token`` (all of them without one), recurring ones expanded.

    Returns the events and the next sync token (given on the last page only).
    """
    items, page_token = [], None
    while True:
        params = {"calendarId": calendar_id, "singleEvents": True, "maxResults": PAGE_SIZE}
        if sync_token:
            params["syncToken"] = sync_token
        if page_token:
            params["pageToken"] = page_token
        try:
            page = _execute(service.events().list(**params))
        except HttpError as error:
            if _status(error) == 410:
                raise SyncTokenExpired(calendar_id) from error
            raise
        items += page.get("items", [])
        page_token = page.get("nextPageToken")
        if not page_token:
            return items, page.get("nextSyncToken", "")


def _conference(body: dict) -> dict:
    """``conferenceDataVersion=1`` when the body asks for a Meet link (else Google ignores ``conferenceData``)."""
    return {"conferenceDataVersion": 1} if "conferenceData" in body else {}


def insert_event(service, calendar_id: str, body: dict) -> dict | None:
    """Insert with the caller's event id; ``None`` when that id exists already (409: an earlier attempt)."""
    try:
        return _execute(service.events().insert(calendarId=calendar_id, body=body, **_conference(body)))
    except HttpError as error:
        if _status(error) == 409:
            return None
        raise


def update_event(service, calendar_id: str, event_id: str, body: dict) -> dict | None:
    """Replace the event (``events.update``); ``None`` when it no longer exists."""
    try:
        return _execute(service.events().update(calendarId=calendar_id, eventId=event_id, body=body,
                                                **_conference(body)))
    except HttpError as error:
        if _status(error) in (404, 410):
            return None
        raise


def delete_event(service, calendar_id: str, event_id: str) -> None:
    """Delete; an event already deleted (410) or never there (404) counts as done."""
    try:
        _execute(service.events().delete(calendarId=calendar_id, eventId=event_id))
    except HttpError as error:
        if _status(error) not in (404, 410):
            raise


def watch_events(service, calendar_id: str, channel_id: str, token: str, address: str, ttl_seconds: int) -> dict:
    body = {"id": channel_id, "type": "web_hook", "address": address, "token": token,
            "params": {"ttl": str(ttl_seconds)}}
    return _execute(service.events().watch(calendarId=calendar_id, body=body))


def stop_channel(service, channel_id: str, resource_id: str) -> None:
    """Stop a push channel; one that has already expired or is unknown (404) counts as stopped."""
    try:
        _execute(service.channels().stop(body={"id": channel_id, "resourceId": resource_id}))
    except HttpError as error:
        if _status(error) != 404:
            raise
