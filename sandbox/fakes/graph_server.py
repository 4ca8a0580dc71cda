"""A loopback fake of the Microsoft identity platform and Microsoft Graph's calendar API, for tests and the sandbox.

Standard library plus ``cryptography`` (for its certificate). The real ``msal`` and ``requests`` talk to it::

    fake = FakeGraph(client_id="cid", client_secret="secret")
    base = fake.start()      # "https://127.0.0.1:<free port>"; trust fake.ca_file (REQUESTS_CA_BUNDLE=...)
    # authority: base + "/common", Graph: base + "/v1.0"

msal accepts only an ``https://`` authority (``msal.authority.canonicalize``), so the fake serves TLS (``tls.py``)
with a certificate made at start for 127.0.0.1 and signed by a throwaway CA, written to :attr:`FakeGraph.ca_file`.
Point ``REQUESTS_CA_BUNDLE`` at it: msal's session and plain ``requests`` both read it.

What it does:

* ``GET /{tenant}/v2.0/.well-known/openid-configuration``; ``GET /{tenant}/oauth2/v2.0/authorize`` (no consent page:
  redirects at once to ``redirect_uri?code=...&state=...``, or ``error=access_denied`` after ``deny_consent()``);
  ``POST /{tenant}/oauth2/v2.0/token``: ``authorization_code`` (client secret, redirect URI and the PKCE verifier
  checked; an unsigned ID token with the nonce and ``client_info`` so msal can build its account) and
  ``refresh_token`` (a new refresh token each time, as Entra ID does; 400 ``invalid_grant`` AADSTS65001 after
  ``revoke_consent()``). Access tokens last an hour (``expire_access_tokens()`` ends them early).
* Graph under ``/v1.0``: ``/me``; ``/me/calendars``; ``/me/calendars/{id}/calendarView/delta`` with delta
  semantics (pages of ``Prefer: odata.maxpagesize`` up to ``page_size``, ``@odata.nextLink``, then
  ``@odata.deltaLink``; following a delta link returns only what changed since, deleted events and events moved
  out of the window as ``@removed``; 410 ``syncStateNotFound`` after ``expire_delta_links()``); events:
  ``POST /me/calendars/{id}/events`` (a repeated ``transactionId`` returns the first event, no duplicate;
  ``isOnlineMeeting`` makes a Teams join URL), ``GET/PATCH/DELETE /me/events/{id}`` (404 ``ErrorItemNotFound``);
  ``POST/PATCH/DELETE /subscriptions`` (creating one first POSTs ``?validationToken=...`` to its
  ``notificationUrl`` and refuses it unless the answer is 200 echoing the token; the expiry may be at most 4230
  minutes ahead; unlike Graph, plain ``http://`` notification URLs are accepted, for loopback endpoints).
* Times are stored and returned in UTC (``Prefer: outlook.timezone="UTC"``); all-day events keep their midnight
  dates and their ``originalStartTimeZone``. ``add_series`` adds a recurring event as calendarView shows one: its
  occurrences, at the same wall-clock time across a DST change.
* Failure injection: ``throttle(count, status=429, retry_after=1)`` answers the next ``count`` Graph requests with
  that status and ``Retry-After``. ``notify(calendar_id, event_id)`` POSTs a change notification to every
  subscription of the calendar (``post_notification(url, ...)`` to any URL); with ``auto_notify = True`` every
  change made through the helpers does so. ``rejects_tokens = True`` makes Graph answer 401 to any token.

Command line: ``python sandbox/fakes/graph_server.py --port 12114`` prints the base URL and the CA file.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import secrets
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

import requests

try:
    from .tls import TLSServer
except ImportError:  # run as a script
    from tls import TLSServer

MAX_SUBSCRIPTION_MINUTES = 4230
TOKEN_SECONDS = 3600


class GraphError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}

    def body(self):
        return {"error": {"code": self.code, "message": self.message}}


class FakeGraph:
    """One fake Microsoft account (several calendars) and the app registration it consented to. Thread-safe."""

    def __init__(self, client_id="fake-ms-client-id", client_secret="fake-ms-secret", account="maya@contoso.com",
                 page_size=50):
        self.client_id, self.client_secret, self.account = client_id, client_secret, account
        self.page_size = page_size  # the most events per page, whatever ``odata.maxpagesize`` asks for
        self.lock = threading.RLock()
        self.auto_notify = False
        self._server = None
        self.ca_file = ""
        self.reset()

    # Lifecycle -------------------------------------------------------------------------------------------------

    def start(self, host="127.0.0.1", port=0) -> str:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = TLSServer((host, port), handler)
        self.ca_file = self._server.use_new_certificate(host)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-graph",
                         daemon=True).start()
        return self.url

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"https://{host}:{port}"

    def reset(self):
        with self.lock:
            self.codes, self.refresh_tokens, self.access_tokens = {}, {}, {}
            self.calendars, self.subscriptions, self.deleted_subscriptions = {}, {}, []
            self.requests, self.notifications_sent, self._failures = [], [], []
            self.seq = self.generation = 0
            self.consent_denied = False
            self.rejects_tokens = False  # Graph answers 401 to every token, even a fresh one (a disabled mailbox)
            self.auto_notify = False
            self.user_id, self.tenant_id = secrets.token_hex(16), "9188040d-6c67-4c5b-b112-36a304b66dad"
            self.add_calendar("AAMkCalendar", "Calendar", primary=True)

    # Test helpers ----------------------------------------------------------------------------------------------

    def add_calendar(self, calendar_id, name, primary=False, can_edit=True):
        with self.lock:
            self.calendars[calendar_id] = {"name": name, "primary": primary, "can_edit": can_edit, "events": {}}

    @property
    def primary(self) -> str:
        return next(cid for cid, cal in self.calendars.items() if cal["primary"])

    def add_event(self, calendar_id, start, end, subject="Busy", **fields) -> dict:
        """``start``/``end``: aware datetimes, or dates for an all-day event (``time_zone`` names its zone)."""
        event = {"id": fields.pop("id", None) or "AAMkEvent" + secrets.token_hex(8), "subject": subject,
                 "showAs": "busy", "isCancelled": False, "sensitivity": "normal", "type": "singleInstance",
                 "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
                 "transactionId": None, "isOnlineMeeting": False, "onlineMeeting": None,
                 **_times(start, end, fields.pop("time_zone", "UTC")), **fields}
        with self.lock:
            stored = copy.deepcopy(self._store(calendar_id, event))
        self._changed(calendar_id, stored["id"], "created")
        return stored

    def add_series(self, calendar_id, start, end, count, every=timedelta(days=7), subject="Busy", **fields):
        """A recurring event as calendarView shows it: one occurrence per repeat, each at the same wall-clock
        time in the zone of ``start`` (so across a DST change the UTC time moves). Returns the occurrences."""
        master = "AAMkSeries" + secrets.token_hex(6)
        occurrences = []
        for n in range(count):
            begins = (start.replace(tzinfo=None) + n * every).replace(tzinfo=start.tzinfo)
            ends = (end.replace(tzinfo=None) + n * every).replace(tzinfo=end.tzinfo)
            occurrences.append(self.add_event(calendar_id, begins, ends, subject, id=f"{master}_{n}",
                                              type="occurrence", seriesMasterId=master,
                                              time_zone=str(start.tzinfo), **fields))
        return occurrences

    def update_event(self, calendar_id, event_id, **fields) -> dict:
        with self.lock:
            event = dict(self.calendars[calendar_id]["events"][event_id])
            if "start" in fields or "end" in fields:
                event.update(_times(fields.pop("start", _read(event["start"])), fields.pop("end", _read(event["end"])),
                                    fields.pop("time_zone", event.get("originalStartTimeZone", "UTC"))))
            event.update(fields)
            stored = copy.deepcopy(self._store(calendar_id, event))
        self._changed(calendar_id, event_id, "updated")
        return stored

    def delete_event(self, calendar_id, event_id):
        with self.lock:
            self._store(calendar_id, {**self.calendars[calendar_id]["events"][event_id], "_deleted": True})
        self._changed(calendar_id, event_id, "deleted")

    def events(self, calendar_id) -> dict:
        with self.lock:
            return {eid: _public(e) for eid, e in self.calendars[calendar_id]["events"].items() if not e["_deleted"]}

    def expire_delta_links(self):
        """Every delta link issued so far answers 410 ``syncStateNotFound`` from now on."""
        with self.lock:
            self.generation += 1

    def expire_access_tokens(self):
        with self.lock:
            for token in self.access_tokens.values():
                token["expires"] = 0

    def revoke_consent(self):
        """The owner removed the app's permissions: refresh tokens answer ``invalid_grant``, access tokens 401."""
        with self.lock:
            for refresh in self.refresh_tokens.values():
                refresh["revoked"] = True
            self.access_tokens.clear()

    def deny_consent(self, denied=True):
        with self.lock:
            self.consent_denied = denied

    def throttle(self, count=1, status=429, retry_after=1):
        with self.lock:
            self._failures.extend([(status, retry_after)] * count)

    def calls(self, method=None, contains="/v1.0/") -> list[tuple[float, str, str]]:
        """(monotonic time, method, path) of the Graph requests received so far."""
        with self.lock:
            return [r for r in self.requests if contains in r[2] and (method is None or r[1] == method)]

    def notify(self, calendar_id, event_id, change_type="updated", client_state=None) -> list[int]:
        """POST a change notification to each subscription on the calendar, as Graph does; returns the statuses."""
        with self.lock:
            targets = [s for s in self.subscriptions.values() if s["_calendar"] == calendar_id]
        return [self.post_notification(s["notificationUrl"], s["id"],
                                       s["clientState"] if client_state is None else client_state,
                                       event_id, change_type, s["expirationDateTime"]) for s in targets]

    def post_notification(self, url, subscription_id, client_state, event_id, change_type="updated",
                          expires="") -> int:
        """POST one change notification, shaped as Graph's, to any URL; returns the answer's status."""
        item = {"subscriptionId": subscription_id, "changeType": change_type, "clientState": client_state,
                "subscriptionExpirationDateTime": expires, "tenantId": self.tenant_id,
                "resource": f"Users/{self.user_id}/Events/{event_id}",
                "resourceData": {"@odata.type": "#Microsoft.Graph.Event", "id": event_id}}
        response = requests.post(url, json={"value": [item]}, timeout=10)
        with self.lock:
            self.notifications_sent.append((subscription_id, event_id, response.status_code))
        return response.status_code

    # Internals -------------------------------------------------------------------------------------------------

    def _store(self, calendar_id, event):
        self.seq += 1
        event.setdefault("_deleted", False)
        event.update(_seq=self.seq, lastModifiedDateTime=_utc_text(datetime.now(UTC)),
                     **{"@odata.etag": f'W/"{self.seq}"'})
        self.calendars[calendar_id]["events"][event["id"]] = event
        return event

    def _changed(self, calendar_id, event_id, change_type):
        if self.auto_notify:
            threading.Thread(target=self.notify, args=(calendar_id, event_id, change_type), daemon=True).start()

    def _take_failure(self):
        with self.lock:
            return self._failures.pop(0) if self._failures else None


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def _times(start, end, zone_name) -> dict:
    if isinstance(start, datetime):
        return {"isAllDay": False, "originalStartTimeZone": zone_name, "originalEndTimeZone": zone_name,
                "start": {"dateTime": _utc_text(start), "timeZone": "UTC"},
                "end": {"dateTime": _utc_text(end), "timeZone": "UTC"}}
    return {"isAllDay": True, "originalStartTimeZone": zone_name, "originalEndTimeZone": zone_name,
            "start": {"dateTime": f"{start.isoformat()}T00:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": f"{end.isoformat()}T00:00:00.0000000", "timeZone": "UTC"}}


# The few Windows zone names the tests write with (Graph knows them all).
WINDOWS_ZONES = {"Eastern Standard Time": "America/New_York", "Pacific Standard Time": "America/Los_Angeles",
                 "Romance Standard Time": "Europe/Paris", "W. Europe Standard Time": "Europe/Berlin",
                 "GMT Standard Time": "Europe/London", "UTC": "UTC"}


def _read(when: dict):
    """A ``dateTimeTimeZone`` as an aware datetime (a zone zoneinfo knows, or one of the Windows names above)."""
    moment = datetime.fromisoformat(when["dateTime"][:26])
    name = when.get("timeZone") or "UTC"
    try:
        zone = ZoneInfo(WINDOWS_ZONES.get(name, name))
    except (ValueError, LookupError) as error:
        raise GraphError(400, "TimeZoneNotSupportedException", f"Time zone '{name}' is not supported.") from error
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _span(event) -> tuple[datetime, datetime]:
    """The instant span of a stored event; an all-day one in its original zone."""
    if event.get("isAllDay"):
        name = event.get("originalStartTimeZone") or "UTC"
        try:
            zone = ZoneInfo(WINDOWS_ZONES.get(name, name))
        except (ValueError, LookupError):  # near enough for choosing what is in a window
            zone = UTC
        return tuple(datetime.combine(date.fromisoformat(event[k]["dateTime"][:10]), datetime.min.time(), zone)
                     for k in ("start", "end"))
    return _read(event["start"]), _read(event["end"])


def _public(event):
    """An event as Graph shows it; extended properties only come with ``$expand``."""
    hidden = ("singleValueExtendedProperties",)
    return {k: copy.deepcopy(v) for k, v in event.items() if not k.startswith("_") and k not in hidden}


def _encode(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def _decode(token: str) -> dict:
    try:
        return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError as error:
        raise GraphError(400, "BadRequest", "The token is not valid.") from error


def _jwt(claims: dict) -> str:
    """An unsigned JWT: msal decodes the ID token's claims and does not check its signature."""
    header = _encode({"alg": "none", "typ": "JWT"})
    return f"{header}.{_encode(claims)}.sig"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGraph = None

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        parts = urlsplit(self.path)
        self.query = dict(parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(length) if length else b""
        with self.fake.lock:
            self.fake.requests.append((time.monotonic(), method, parts.path))
        segments = [unquote(s) for s in parts.path.strip("/").split("/")]
        try:
            if segments[0] == "v1.0":
                failure = self.fake._take_failure()
                if failure:
                    raise GraphError(failure[0], "TooManyRequests" if failure[0] == 429 else "ServiceUnavailable",
                                     "Injected failure.", {"Retry-After": str(failure[1])})
                self._authenticate()
                return self._graph(method, segments[1:])
            if segments[1:3] == ["v2.0", ".well-known"]:
                return self._json(200, self._openid_configuration(segments[0]))
            if segments[1:] == ["oauth2", "v2.0", "authorize"]:
                return self._authorize()
            if segments[1:] == ["oauth2", "v2.0", "token"] and method == "POST":
                return self._token(segments[0])
            raise GraphError(404, "NotFound", "Not found.")
        except GraphError as error:
            self._json(error.status, error.body(), error.headers)

    # Identity platform -----------------------------------------------------------------------------------------

    def _openid_configuration(self, tenant):
        base = f"{self.fake.url}/{tenant}"
        return {"authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "issuer": f"{self.fake.url}/{self.fake.tenant_id}/v2.0", "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"]}

    def _authorize(self):
        q = self.query
        if q.get("client_id") != self.fake.client_id:
            return self._json(400, {"error": "unauthorized_client"})
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            return self._json(400, {"error": "invalid_request", "error_description": "PKCE with S256 is required."})
        params = {"state": q.get("state", "")}
        if self.fake.consent_denied:
            params.update(error="access_denied", error_description="The user has denied access.")
        else:
            params["code"] = secrets.token_urlsafe(24)
            with self.fake.lock:
                self.fake.codes[params["code"]] = {"challenge": q.get("code_challenge"), "nonce": q.get("nonce"),
                                                   "redirect_uri": q.get("redirect_uri"), "scope": q.get("scope", "")}
        self.send_response(302)
        self.send_header("Location", q["redirect_uri"] + "?" + urlencode(params))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _token(self, tenant):
        form = dict(parse_qsl(self.raw.decode()))
        if form.get("client_id") != self.fake.client_id or form.get("client_secret") != self.fake.client_secret:
            return self._json(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client "
                                    "secret provided.", "error_codes": [7000215]})
        with self.fake.lock:
            if form.get("grant_type") == "authorization_code":
                return self._exchange_code(form)
            if form.get("grant_type") == "refresh_token":
                refresh = self.fake.refresh_tokens.pop(form.get("refresh_token"), None)
                if refresh is None or refresh["revoked"]:
                    return self._json(400, {"error": "invalid_grant", "error_codes": [65001], "error_description":
                                            "AADSTS65001: The user or administrator has not consented to use the "
                                            "application."})
                return self._json(200, self._issue(refresh))
        return self._json(400, {"error": "unsupported_grant_type"})

    def _exchange_code(self, form):
        grant = self.fake.codes.pop(form.get("code"), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return self._json(400, {"error": "invalid_grant", "error_description": "AADSTS70000: The provided value "
                                    "for the 'code' parameter is not valid."})
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).decode().rstrip("=") != grant["challenge"]:
            return self._json(400, {"error": "invalid_grant", "error_description": "AADSTS501481: The Code_Verifier "
                                    "does not match the code_challenge supplied in the authorization request."})
        return self._json(200, self._issue({"revoked": False, "scope": grant["scope"], "nonce": grant["nonce"]}))

    def _issue(self, grant):
        """Tokens for a grant; a new refresh token every time (the old one stops working)."""
        access, refresh = "eyJ0." + secrets.token_urlsafe(24), "0.AR" + secrets.token_urlsafe(32)
        self.fake.access_tokens[access] = {"expires": time.time() + TOKEN_SECONDS}
        self.fake.refresh_tokens[refresh] = grant
        now = int(time.time())
        claims = {"aud": self.fake.client_id, "iss": f"{self.fake.url}/{self.fake.tenant_id}/v2.0", "iat": now,
                  "nbf": now, "exp": now + TOKEN_SECONDS, "oid": self.fake.user_id, "sub": self.fake.user_id,
                  "tid": self.fake.tenant_id, "preferred_username": self.fake.account, "name": "Maya Owner",
                  "nonce": grant["nonce"]}
        scope = " ".join(s for s in grant["scope"].split() if s not in ("openid", "profile", "offline_access"))
        return {"token_type": "Bearer", "scope": scope, "expires_in": TOKEN_SECONDS, "ext_expires_in": TOKEN_SECONDS,
                "access_token": access, "refresh_token": refresh, "id_token": _jwt(claims),
                "client_info": _encode({"uid": self.fake.user_id, "utid": self.fake.tenant_id})}

    def _authenticate(self):
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        with self.fake.lock:
            grant = self.fake.access_tokens.get(token)
            if grant is None or grant["expires"] < time.time() or self.fake.rejects_tokens:
                raise GraphError(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")

    # Graph -----------------------------------------------------------------------------------------------------

    def _graph(self, method, segments):
        with self.fake.lock:
            if segments == ["me"] and method == "GET":
                return self._json(200, {"id": self.fake.user_id, "displayName": "Maya Owner",
                                        "mail": self.fake.account, "userPrincipalName": self.fake.account})
            if segments == ["me", "calendars"] and method == "GET":
                return self._json(200, {"value": [
                    {"id": cid, "name": cal["name"], "isDefaultCalendar": cal["primary"], "canEdit": cal["can_edit"]}
                    for cid, cal in self.fake.calendars.items()]})
            if segments[:2] == ["me", "calendars"] and segments[2:3] and segments[2] not in self.fake.calendars:
                raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            if segments[:2] == ["me", "calendars"] and segments[3:] == ["calendarView", "delta"] and method == "GET":
                return self._json(200, self._delta(segments[2]))
            if segments[:2] == ["me", "calendars"] and segments[3:] == ["events"] and method == "POST":
                return self._create(segments[2], json.loads(self.raw or b"{}"))
            if segments[:2] == ["me", "events"] and len(segments) == 3:
                return self._event(method, segments[2])
            if segments[0] == "subscriptions":
                return self._subscriptions(method, segments[1:])
        raise GraphError(404, "NotFound", "Resource not found for the segment.")

    def _delta(self, calendar_id):
        q = self.query
        if "$deltatoken" in q:
            state = _decode(q["$deltatoken"])
            if state["generation"] != self.fake.generation or state["calendar"] != calendar_id:
                raise GraphError(410, "syncStateNotFound", "The sync state generation is not found or expired.")
            state["offset"] = 0
        elif "$skiptoken" in q:
            state = _decode(q["$skiptoken"])
        else:
            if "startDateTime" not in q or "endDateTime" not in q:
                raise GraphError(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required.")
            state = {"calendar": calendar_id, "since": None, "offset": 0, "generation": self.fake.generation,
                     "window": [q["startDateTime"], q["endDateTime"]], "upto": self.fake.seq}
        if "$deltatoken" in q:
            state.update(since=state["upto"], upto=self.fake.seq)
        items = self._delta_items(calendar_id, state)
        size = self._page_size()
        page, offset = items[state["offset"]:state["offset"] + size], state["offset"] + size
        body = {"value": page}
        link = f"{self.fake.url}/v1.0/me/calendars/{quote(calendar_id, safe='')}/calendarView/delta"
        if offset < len(items):
            body["@odata.nextLink"] = f"{link}?$skiptoken={_encode({**state, 'offset': offset})}"
        else:
            body["@odata.deltaLink"] = f"{link}?$deltatoken={_encode({**state, 'offset': 0})}"
        return body

    def _delta_items(self, calendar_id, state):
        window = tuple(datetime.fromisoformat(w.replace("Z", "+00:00")) for w in state["window"])
        events = sorted(self.fake.calendars[calendar_id]["events"].values(), key=lambda e: e["_seq"])
        items = []
        for event in events:
            if event["_seq"] > state["upto"] or (state["since"] is not None and event["_seq"] <= state["since"]):
                continue
            start, end = _span(event)
            inside = not event["_deleted"] and start < window[1] and end > window[0]
            if inside:
                items.append(_public(event))
            elif state["since"] is not None:
                items.append({"@odata.type": "#microsoft.graph.event", "id": event["id"],
                              "@removed": {"reason": "deleted"}})
        return items

    def _page_size(self):
        for part in self.headers.get("Prefer", "").split(","):
            name, _, value = part.strip().partition("=")
            if name == "odata.maxpagesize" and value.isdigit():
                return min(int(value), self.fake.page_size)
        return self.fake.page_size

    def _create(self, calendar_id, body):
        calendar = self.fake.calendars[calendar_id]
        if not calendar["can_edit"]:
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        if "start" not in body or "end" not in body:
            raise GraphError(400, "ErrorInvalidRequest", "Start and end are required.")
        if body.get("transactionId"):
            for event in calendar["events"].values():
                if event.get("transactionId") == body["transactionId"] and not event["_deleted"]:
                    return self._json(201, _public(event))
        start, end = (_read(body[key]) for key in ("start", "end"))
        event = {"id": "AAMkEvent" + secrets.token_hex(8), "showAs": "busy", "isCancelled": False,
                 "type": "singleInstance", "sensitivity": "normal", "responseStatus": {"response": "organizer"},
                 "onlineMeeting": None, **body, **_times(start, end, body["start"].get("timeZone", "UTC"))}
        self._online_meeting(event)
        return self._json(201, _public(self.fake._store(calendar_id, event)))

    def _online_meeting(self, event):
        if event.get("isOnlineMeeting") and event.get("onlineMeetingProvider") == "teamsForBusiness":
            if not event.get("onlineMeeting"):
                event["onlineMeeting"] = {"joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
                                          + secrets.token_urlsafe(12) + "%40thread.v2/0"}

    def _find(self, event_id):
        for calendar_id, calendar in self.fake.calendars.items():
            event = calendar["events"].get(event_id)
            if event and not event["_deleted"]:
                return calendar_id, event
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")

    def _event(self, method, event_id):
        calendar_id, event = self._find(event_id)
        if method == "GET":
            shown = _public(event)
            if "singleValueExtendedProperties" in self.query.get("$expand", ""):
                shown["singleValueExtendedProperties"] = copy.deepcopy(event.get("singleValueExtendedProperties", []))
            return self._json(200, shown)
        if method == "DELETE":
            self.fake._store(calendar_id, {**event, "_deleted": True})
            return self._empty(204)
        if method == "PATCH":
            body = json.loads(self.raw or b"{}")
            merged = {**event, **body}
            if "start" in body or "end" in body:
                merged.update(_times(_read(merged["start"]), _read(merged["end"]),
                                     body.get("start", {}).get("timeZone", event.get("originalStartTimeZone"))))
            self._online_meeting(merged)
            return self._json(200, _public(self.fake._store(calendar_id, merged)))
        raise GraphError(405, "MethodNotAllowed", "Method not allowed.")

    def _subscriptions(self, method, rest):
        if not rest and method == "POST":
            return self._subscribe(json.loads(self.raw or b"{}"))
        subscription = self.fake.subscriptions.get(rest[0]) if len(rest) == 1 else None
        if subscription is None:
            raise GraphError(404, "ResourceNotFound", "The object was not found.")
        if method == "DELETE":
            del self.fake.subscriptions[rest[0]]
            self.fake.deleted_subscriptions.append(rest[0])
            return self._empty(204)
        if method == "PATCH":
            expires = json.loads(self.raw or b"{}").get("expirationDateTime", "")
            subscription["expirationDateTime"] = self._check_expiry(expires)
            return self._json(200, _public(subscription))
        raise GraphError(405, "MethodNotAllowed", "Method not allowed.")

    def _check_expiry(self, text):
        try:
            expires = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except (ValueError, AttributeError) as error:
            raise GraphError(400, "ExtensionError", "expirationDateTime is not a date and time.") from error
        if expires > datetime.now(UTC) + timedelta(minutes=MAX_SUBSCRIPTION_MINUTES):
            raise GraphError(400, "ExtensionError", "Subscription expiration can only be 4230 minutes in the future.")
        return _utc_text(expires) + "Z"

    def _subscribe(self, body):
        resource = body.get("resource", "").strip("/").split("/")
        if resource[:2] != ["me", "calendars"] or resource[3:] != ["events"] or resource[2] not in self.fake.calendars:
            raise GraphError(400, "InvalidRequest", "The resource is not valid.")
        if not body.get("notificationUrl") or len(body.get("clientState") or "") > 128:
            raise GraphError(400, "InvalidRequest", "notificationUrl is required; clientState is at most 128 long.")
        subscription = {"id": secrets.token_hex(16), "resource": body["resource"], "changeType": body.get("changeType"),
                        "notificationUrl": body["notificationUrl"], "clientState": body.get("clientState"),
                        "expirationDateTime": self._check_expiry(body.get("expirationDateTime")),
                        "_calendar": resource[2]}
        # The handshake happens outside the lock: the endpoint may be slow, and other requests must go on.
        self.fake.lock.release()
        try:
            validated = self._validate(body["notificationUrl"])
        finally:
            self.fake.lock.acquire()
        if not validated:
            raise GraphError(400, "InvalidRequest", "Subscription validation request failed. Notification endpoint "
                             "must respond with 200 OK to validation request.")
        self.fake.subscriptions[subscription["id"]] = subscription
        return self._json(201, _public(subscription))

    def _validate(self, url):
        token = f"Validation: Testing client application reachability for subscription Request-Id: " \
                f"{secrets.token_hex(8)}"
        try:
            response = requests.post(url, params={"validationToken": token}, timeout=10,
                                     headers={"Content-Type": "text/plain; charset=utf-8"})
        except requests.RequestException:
            return False
        return (response.status_code == 200 and response.text == token
                and response.headers.get("Content-Type", "").startswith("text/plain"))

    # Responses -------------------------------------------------------------------------------------------------

    def _json(self, status, body, headers=None):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _empty(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=12114)
    parser.add_argument("--client-id", default="fake-ms-client-id")
    parser.add_argument("--client-secret", default="fake-ms-secret")
    args = parser.parse_args()
    fake = FakeGraph(client_id=args.client_id, client_secret=args.client_secret)
    print(fake.start(port=args.port), fake.ca_file, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
