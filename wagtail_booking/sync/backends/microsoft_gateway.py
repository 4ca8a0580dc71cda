"""msal and Microsoft Graph HTTP calls, and nothing else: with :mod:`.microsoft`, the only module that imports msal.

Sign-in is msal's authorization-code flow with PKCE. The credentials we keep are msal's serialised token cache and
the account's ``home_account_id`` (JSON); :class:`GraphClient` gets tokens from that cache (refreshing them when they
expire, which also rotates the refresh token) and reports the changed cache through ``on_credentials`` so the engine
encrypts and stores it again.

Graph is plain HTTPS and JSON through ``requests``. :meth:`GraphClient.call` retries 429/503/504 answers that carry
a short ``Retry-After``, refreshes the token once on a 401, and turns what is left into the contract's errors:
:class:`ReconnectNeeded`, :class:`Unavailable`, :class:`CursorExpired` or a plain :class:`CalendarError`.
"""

from __future__ import annotations

import json
import time
import warnings
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlsplit

import msal
import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .base import CalendarError, CursorExpired, ReconnectNeeded, Unavailable

# msal adds openid, profile and offline_access (the refresh token) itself and refuses them in this list.
# Calendars.ReadWrite covers Teams links made through an event's isOnlineMeeting; no OnlineMeetings scope needed.
SCOPES = ["Calendars.ReadWrite", "User.Read"]
AUTHORITY_HOST = "https://login.microsoftonline.com"
GRAPH_URL = "https://graph.microsoft.com/v1.0"
TIMEOUT = 30
RETRIES = 2  # further attempts after a 429/503/504 that says how long to wait
MAX_RETRY_WAIT = 10  # seconds; a longer Retry-After is handed to the engine's task queue instead of blocking a worker
THROTTLED = (429, 503, 504)
# What Graph says when a delta link can no longer be followed (410 Gone carries one of these, some 400s too).
SYNC_STATE_ERRORS = {"syncstatenotfound", "syncstateinvalid", "resyncrequired"}
# Token errors that only the owner signing in again can fix.
GRANT_ERRORS = {"invalid_grant", "interaction_required", "consent_required", "unauthorized_client"}


def _setting(name: str, default: str = "") -> str:
    return getattr(settings, name, "") or default


def graph_url() -> str:
    return _setting("MICROSOFT_GRAPH_URL", GRAPH_URL).rstrip("/")


def make_app(cache: msal.SerializableTokenCache | None = None) -> msal.ConfidentialClientApplication:
    authority = f"{_setting('MICROSOFT_AUTHORITY_HOST', AUTHORITY_HOST).rstrip('/')}/" \
                f"{_setting('MICROSOFT_TENANT', 'common')}"
    try:
        # instance_discovery=False: tokens are only ever used with the authority that issued them, so msal need
        # not ask login.microsoftonline.com about aliases (and a loopback authority stays offline).
        return msal.ConfidentialClientApplication(
            _setting("MICROSOFT_CLIENT_ID"), client_credential=_setting("MICROSOFT_CLIENT_SECRET"),
            authority=authority, token_cache=cache, instance_discovery=False, timeout=TIMEOUT)
    except (requests.RequestException, ValueError) as error:  # msal reads the authority's OpenID configuration
        raise _signin_unreachable(error) from error


def start_flow(redirect_uri: str) -> tuple[str, str, str]:
    """(URL for the owner's browser, state, the rest of msal's flow as JSON, to keep secret until the callback)."""
    app = make_app()
    with warnings.catch_warnings():
        # msal recommends response_mode=form_post. The callback is an admin page behind the session cookie, which
        # browsers do not send with a cross-site form POST (SameSite=Lax), so the code comes back in the query
        # string, guarded by PKCE and the state.
        warnings.filterwarnings("ignore", message="response_mode='form_post'")
        flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=redirect_uri, prompt="select_account")
    kept = {key: value for key, value in flow.items() if key != "auth_uri"}
    return flow["auth_uri"], flow["state"], json.dumps(kept)


def finish_flow(redirect_uri: str, state: str, kept_flow: str, authorization_response: str) -> str:
    """Redeem the code with the flow kept by :func:`start_flow`; returns the credentials JSON."""
    try:
        flow = json.loads(kept_flow)
    except ValueError:
        flow = None
    if not isinstance(flow, dict) or flow.get("state") != state or flow.get("redirect_uri") != redirect_uri:
        raise ReconnectNeeded(_("This sign-in was started in another browser session or has expired. Connect again."))
    response = dict(parse_qsl(urlsplit(authorization_response).query))
    cache = msal.SerializableTokenCache()
    app = make_app(cache)
    try:
        result = app.acquire_token_by_auth_code_flow(flow, response)
    except (ValueError, RuntimeError) as error:  # msal: state or nonce mismatch, a response with no code
        raise ReconnectNeeded(_("Microsoft's answer did not match this sign-in (%(error)s). Connect again.")
                              % {"error": error}) from error
    except requests.RequestException as error:
        raise _signin_unreachable(error) from error
    if "error" in result:
        raise ReconnectNeeded(_("Microsoft did not accept the sign-in: %(error)s") % {"error": _describe(result)})
    oid, accounts = (result.get("id_token_claims") or {}).get("oid"), app.get_accounts()
    account = next((a for a in accounts if a.get("local_account_id") == oid), accounts[0] if accounts else None)
    if account is None:
        raise ReconnectNeeded(_("Microsoft did not say which account signed in. Connect again."))
    return json.dumps({"cache": cache.serialize(), "account": account["home_account_id"]})


def _signin_unreachable(error) -> Unavailable:
    return Unavailable(_("Could not reach the Microsoft sign-in service: %(error)s") % {"error": error})


def _sign_in_refused() -> ReconnectNeeded:
    return ReconnectNeeded(_("Microsoft Graph no longer accepts this connection's sign-in. Connect again."))


def _describe(result: dict) -> str:
    return (result.get("error_description") or result.get("error") or "").split(" Trace ID:")[0].strip()


def retry_after(response: requests.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (a number or an HTTP date), or ``None`` when there is none."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - timezone.now()).total_seconds())
    except (TypeError, ValueError):
        return None


class GraphClient:
    """Authorised Graph requests for one connection. Not thread-safe: one per task, as the contract says."""

    def __init__(self, credentials: str, on_credentials=None):
        self._cache = msal.SerializableTokenCache()
        try:
            stored = json.loads(credentials or "{}")
            self._cache.deserialize(stored.get("cache") or None)
        except (ValueError, AttributeError):  # unreadable: the first token request says "connect again"
            stored = {}
        self._home_account_id = stored.get("account", "")
        self._on_credentials = on_credentials or (lambda text: None)
        self._app = None
        self._token = ""
        self.base = graph_url()
        self.session = requests.Session()

    # Tokens ----------------------------------------------------------------------------------------------------
    def _account(self):
        self._app = self._app or make_app(self._cache)
        account = next((a for a in self._app.get_accounts() if a["home_account_id"] == self._home_account_id), None)
        if account is None:
            raise ReconnectNeeded(_("No Microsoft sign-in is stored for this connection. Connect again."))
        return account

    def access_token(self, force_refresh: bool = False) -> str:
        account = self._account()
        try:
            result = self._app.acquire_token_silent_with_error(SCOPES, account, force_refresh=force_refresh)
        except requests.RequestException as error:
            raise _signin_unreachable(error) from error
        if result is None:
            raise ReconnectNeeded(_("Microsoft's stored sign-in has run out. Connect again."))
        if "error" in result:
            if result["error"] in GRANT_ERRORS:
                raise ReconnectNeeded(_("Microsoft no longer gives access to this calendar: %(error)s Connect again.")
                                      % {"error": _describe(result)})
            raise Unavailable(_("The Microsoft sign-in service answered: %(error)s") % {"error": _describe(result)})
        if self._cache.has_state_changed:  # a refresh: new access and refresh tokens to store
            self._cache.has_state_changed = False
            self._on_credentials(json.dumps({"cache": self._cache.serialize(), "account": self._home_account_id}))
        self._token = result["access_token"]
        return self._token

    # Requests --------------------------------------------------------------------------------------------------
    def url(self, path_or_url: str) -> str:
        """A Graph URL; links Graph gave us (next pages, delta links) must point at the same Graph, since the
        request carries the owner's token."""
        if not path_or_url.startswith(("http://", "https://")):
            return self.base + path_or_url
        if not path_or_url.startswith(self.base + "/"):
            raise CalendarError(_("Microsoft Graph sent a link to another address; it was not followed."))
        return path_or_url

    def call(self, method: str, path_or_url: str, *, expect=(200,), **kwargs) -> requests.Response:
        """The response when its status is in ``expect``; otherwise the error it means is raised."""
        response = self._send(method, self.url(path_or_url), **kwargs)
        if response.status_code in expect:
            return response
        raise failure(response)

    def _send(self, method, url, **kwargs) -> requests.Response:
        for attempt in range(RETRIES + 1):
            response = self._authorised(method, url, **kwargs)
            wait = retry_after(response)
            if response.status_code not in THROTTLED or wait is None or wait > MAX_RETRY_WAIT or attempt == RETRIES:
                return response
            time.sleep(wait)
        return response

    def _authorised(self, method, url, headers=None, **kwargs) -> requests.Response:
        for refreshed in (False, True):
            token = self.access_token(force_refresh=refreshed) if refreshed or not self._token else self._token
            try:
                response = self.session.request(method, url, timeout=TIMEOUT,
                                                headers={**(headers or {}), "Authorization": f"Bearer {token}"},
                                                **kwargs)
            except requests.RequestException as error:
                raise Unavailable(_("Could not reach Microsoft Graph: %(error)s") % {"error": error}) from error
            if response.status_code != 401:
                return response
        raise _sign_in_refused()

    def pages(self, path_or_url: str, **kwargs):
        """Each page's body of a collection, following ``@odata.nextLink`` (the last page has the delta link)."""
        url = path_or_url
        while True:
            body = self.call("GET", url, **kwargs).json()
            yield body
            url = body.get("@odata.nextLink")
            if not url:
                return
            kwargs.pop("params", None)  # the next link carries them


def failure(response: requests.Response) -> CalendarError:
    """The contract's error for a Graph answer we did not expect."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code, message = str(error.get("code", "")), error.get("message") or response.reason
    status = response.status_code
    answered = _("Microsoft Graph answered %(status)s: %(message)s") % {"status": status, "message": message}
    if status == 410 or code.lower() in SYNC_STATE_ERRORS:
        return CursorExpired(_("Microsoft Graph no longer accepts the stored delta link (%(code)s).")
                             % {"code": code or status})
    if status in THROTTLED or status >= 500:
        return Unavailable(answered, retry_after=retry_after(response))
    if status == 401:
        return _sign_in_refused()
    if status == 403:
        return CalendarError(_("Microsoft refused access to this calendar: %(message)s") % {"message": message})
    if status == 404:
        return CalendarError(_("This calendar no longer exists in the Microsoft account."))
    return CalendarError(answered)
