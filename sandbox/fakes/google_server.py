"""A loopback fake of Google's OAuth endpoints and the Calendar v3 API, for offline tests and the sandbox.

Standard library only. The real google-auth-oauthlib and google-api-python-client talk to it over plain HTTP::

    fake = FakeGoogle(client_id="cid", client_secret="secret")
    base = fake.start()                  # "http://127.0.0.1:<free port>"
    # auth: base + "/o/oauth2/auth", token: base + "/token", revoke: base + "/revoke"
    service = build("calendar", "v3", credentials=creds, static_discovery=True, cache_discovery=False,
                    client_options={"api_endpoint": base + "/calendar/v3/"})

googleapiclient uses ``api_endpoint`` as the base URL as is and appends each method's path after exactly one "/"
(``discovery._urljoin``), so the endpoint must end in ``/calendar/v3/``. oauthlib refuses plain-HTTP token URLs
and callbacks unless ``OAUTHLIB_INSECURE_TRANSPORT=1`` is in the environment; tests set it.

What it does (see ``FakeGoogle``):

* ``GET /o/oauth2/auth``: no consent page; redirects at once to ``redirect_uri?code=...&state=...`` (a browser or a
  test follows it). The PKCE ``code_challenge`` (S256 or plain) is remembered with the code.
* ``POST /token``: ``authorization_code`` (client secret, redirect URI and PKCE verifier checked) and
  ``refresh_token`` grants; a revoked refresh token answers 400 ``invalid_grant``. Access tokens last an hour
  (``expire_access_tokens()`` ends them early).
* ``POST /revoke?token=...``: revokes a refresh token (or the refresh token behind an access token) and its
  access tokens.
* Calendar v3 under ``/calendar/v3/``: ``calendarList.list``; ``events.list`` (``maxResults`` paging with
  ``nextPageToken``, ``nextSyncToken`` on the last page, ``syncToken`` returning only changes since, cancelled
  events included, 410 ``fullSyncRequired`` for expired tokens, ``singleEvents`` expanding simple DAILY/WEEKLY
  ``RRULE``s with ``COUNT``); ``events.get/insert`` (409 on a duplicate id, also of a deleted event)
  ``/patch/update/delete`` (404 unknown, 410 already deleted); ``events.watch`` and ``channels.stop``.
* Failure injection: ``fail_next(count, status)`` makes the next ``count`` Calendar API requests answer ``status``.

Command line: ``python sandbox/fakes/google_server.py --port 12112`` prints the base URL and serves until killed.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import re
import secrets
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
RRULE = re.compile(r"RRULE:FREQ=(DAILY|WEEKLY);COUNT=(\d+)")


class ApiError(Exception):
    def __init__(self, status, message, reason="invalid"):
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason

    def body(self):
        return {"error": {"code": self.status, "message": self.message,
                          "errors": [{"domain": "global", "reason": self.reason, "message": self.message}]}}


class FakeGoogle:
    """State of one fake Google account (several calendars) plus its OAuth client. Thread-safe."""

    def __init__(self, client_id="fake-client-id.apps.googleusercontent.com", client_secret="fake-secret",
                 account="owner@example.com", page_size=250):
        self.client_id, self.client_secret, self.account = client_id, client_secret, account
        self.default_page_size = page_size
        self.lock = threading.RLock()
        self._server = None
        self.reset()

    # Lifecycle -------------------------------------------------------------------------------------------------

    def start(self, host="127.0.0.1", port=0) -> str:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-google",
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
        return f"http://{host}:{port}"

    def reset(self):
        with self.lock:
            self.codes, self.refresh_tokens, self.access_tokens = {}, {}, {}
            self.calendars, self.channels, self.stopped_channels = {}, {}, []
            self.conference_requests = []
            self.requests, self._failures = [], []
            self.seq = self.generation = 0
            self.add_calendar(self.account, "Main", primary=True)

    # Test helpers ----------------------------------------------------------------------------------------------

    def add_calendar(self, calendar_id, summary, primary=False):
        with self.lock:
            self.calendars[calendar_id] = {"summary": summary, "primary": primary, "events": {}}

    def add_event(self, calendar_id, start, end, summary="Busy", **fields) -> dict:
        """``start``/``end``: aware datetimes, or dates for an all-day event."""
        event = {"id": fields.pop("id", None) or secrets.token_hex(8), "summary": summary, "status": "confirmed",
                 "start": _when(start), "end": _when(end), **fields}
        with self.lock:
            return copy.deepcopy(self._store(calendar_id, event))

    def update_event(self, calendar_id, event_id, **fields):
        with self.lock:
            event = dict(self.calendars[calendar_id]["events"][event_id])
            for key in ("start", "end"):
                if key in fields:
                    fields[key] = _when(fields[key])
            event.update(fields)
            return copy.deepcopy(self._store(calendar_id, event))

    def delete_event(self, calendar_id, event_id):
        self.update_event(calendar_id, event_id, status="cancelled")

    def events(self, calendar_id, include_cancelled=False) -> dict:
        with self.lock:
            return {eid: copy.deepcopy(e) for eid, e in self.calendars[calendar_id]["events"].items()
                    if include_cancelled or e["status"] != "cancelled"}

    def expire_sync_tokens(self):
        """Every sync token issued so far answers 410 from now on (as after Google drops them)."""
        with self.lock:
            self.generation += 1

    def expire_access_tokens(self):
        with self.lock:
            for token in self.access_tokens.values():
                token["expires"] = 0

    def revoke_all(self):
        with self.lock:
            for refresh in self.refresh_tokens.values():
                refresh["revoked"] = True
            self.access_tokens.clear()

    def fail_next(self, count=1, status=429):
        with self.lock:
            self._failures.extend([status] * count)

    def calls(self, method=None, prefix="/calendar/v3/"):
        with self.lock:
            return [(m, p) for m, p in self.requests if p.startswith(prefix) and (method is None or m == method)]

    # Internals -------------------------------------------------------------------------------------------------

    def _store(self, calendar_id, event):
        self.seq += 1
        event["updated"] = datetime.now().astimezone().isoformat()
        event["etag"] = f'"{self.seq}"'
        event["_seq"] = self.seq
        self.calendars[calendar_id]["events"][event["id"]] = event
        return event

    def _take_failure(self):
        with self.lock:
            return self._failures.pop(0) if self._failures else None


def _when(value):
    if isinstance(value, dict):
        return value
    if isinstance(value, datetime):
        return {"dateTime": value.isoformat()}
    return {"date": value.isoformat()}


def _public(event):
    return {k: v for k, v in event.items() if not k.startswith("_")}


def _expand(event):
    """Instances of a simple recurring event (DAILY/WEEKLY with COUNT), as ``singleEvents=true`` returns them."""
    match = next((RRULE.match(rule) for rule in event.get("recurrence", []) if RRULE.match(rule)), None)
    if not match or "dateTime" not in event["start"]:
        return [event]
    step = timedelta(days=1 if match[1] == "DAILY" else 7)
    start, end = (datetime.fromisoformat(event[key]["dateTime"]) for key in ("start", "end"))
    instances = []
    for n in range(int(match[2])):
        begins = start + n * step
        instance = {k: v for k, v in event.items() if k != "recurrence"}
        instance.update(id=f"{event['id']}_{begins.astimezone().strftime('%Y%m%dT%H%M%SZ')}",
                        recurringEventId=event["id"], start={"dateTime": begins.isoformat()},
                        end={"dateTime": (end + n * step).isoformat()})
        instances.append(instance)
    return instances


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGoogle = None

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        parts = urlsplit(self.path)
        self.query = dict(parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(length) if length else b""
        with self.fake.lock:
            self.fake.requests.append((method, parts.path))
        try:
            if parts.path == "/o/oauth2/auth":
                return self._authorize()
            if parts.path == "/token":
                return self._token()
            if parts.path == "/revoke":
                return self._revoke()
            if parts.path.startswith("/calendar/v3/"):
                status = self.fake._take_failure()
                if status:
                    reason = "rateLimitExceeded" if status == 429 else "backendError"
                    raise ApiError(status, "Injected failure.", reason)
                self._authenticate()
                return self._calendar(method, parts.path[len("/calendar/v3/"):])
            raise ApiError(404, "Not Found", "notFound")
        except ApiError as error:
            self._json(error.status, error.body())

    # OAuth -----------------------------------------------------------------------------------------------------

    def _authorize(self):
        q = self.query
        if q.get("client_id") != self.fake.client_id:
            return self._json(400, {"error": "invalid_client"})
        code = secrets.token_urlsafe(16)
        with self.fake.lock:
            self.fake.codes[code] = {"challenge": q.get("code_challenge"), "method": q.get("code_challenge_method"),
                                     "redirect_uri": q.get("redirect_uri"), "scope": q.get("scope", "")}
        target = q["redirect_uri"] + ("&" if "?" in q["redirect_uri"] else "?") + urlencode(
            {"code": code, "state": q.get("state", ""), "scope": q.get("scope", "")})
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _form(self):
        form = dict(parse_qsl(self.raw.decode()))
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            form.setdefault("client_id", client_id)
            form.setdefault("client_secret", secret)
        return form

    def _token(self):
        form = self._form()
        if form.get("client_id") != self.fake.client_id or form.get("client_secret") != self.fake.client_secret:
            return self._json(401, {"error": "invalid_client", "error_description": "The OAuth client was not found."})
        with self.fake.lock:
            if form.get("grant_type") == "authorization_code":
                return self._exchange_code(form)
            if form.get("grant_type") == "refresh_token":
                refresh = self.fake.refresh_tokens.get(form.get("refresh_token"))
                if refresh is None or refresh["revoked"]:
                    return self._json(400, {"error": "invalid_grant",
                                            "error_description": "Token has been expired or revoked."})
                return self._json(200, self._issue(form["refresh_token"], refresh["scope"], with_refresh=False))
        return self._json(400, {"error": "unsupported_grant_type"})

    def _exchange_code(self, form):
        grant = self.fake.codes.pop(form.get("code"), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return self._json(400, {"error": "invalid_grant", "error_description": "Malformed auth code."})
        verifier = form.get("code_verifier", "")
        if grant["method"] == "S256":
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        else:
            expected = verifier
        if grant["challenge"] and expected != grant["challenge"]:
            return self._json(400, {"error": "invalid_grant", "error_description": "Invalid code verifier."})
        refresh = "1//" + secrets.token_urlsafe(24)
        self.fake.refresh_tokens[refresh] = {"revoked": False, "scope": grant["scope"]}
        return self._json(200, self._issue(refresh, grant["scope"], with_refresh=True))

    def _issue(self, refresh, scope, with_refresh):
        access = "ya29." + secrets.token_urlsafe(24)
        self.fake.access_tokens[access] = {"refresh": refresh, "expires": time.time() + 3600}
        body = {"access_token": access, "expires_in": 3599, "scope": scope, "token_type": "Bearer"}
        if with_refresh:
            body["refresh_token"] = refresh
        return body

    def _revoke(self):
        token = self.query.get("token") or self._form().get("token")
        with self.fake.lock:
            refresh = self.fake.access_tokens.get(token, {}).get("refresh", token)
            if refresh not in self.fake.refresh_tokens:
                return self._json(400, {"error": "invalid_token", "error_description": "Token expired or revoked"})
            self.fake.refresh_tokens[refresh]["revoked"] = True
            for access in [a for a, t in self.fake.access_tokens.items() if t["refresh"] == refresh]:
                del self.fake.access_tokens[access]
        self._json(200, {})

    def _authenticate(self):
        auth = self.headers.get("Authorization", "")
        with self.fake.lock:
            token = self.fake.access_tokens.get(auth.removeprefix("Bearer "))
            if token is None or token["expires"] < time.time():
                raise ApiError(401, "Request had invalid authentication credentials.", "authError")

    # Calendar v3 -----------------------------------------------------------------------------------------------

    def _calendar(self, method, path):
        segments = [unquote(segment) for segment in path.strip("/").split("/")]
        with self.fake.lock:
            if segments == ["users", "me", "calendarList"] and method == "GET":
                return self._json(200, self._calendar_list())
            if segments == ["channels", "stop"] and method == "POST":
                return self._stop_channel()
            if len(segments) >= 3 and segments[0] == "calendars" and segments[2] == "events":
                calendar_id = segments[1]
                if calendar_id == "primary":
                    calendar_id = self.fake.account
                if calendar_id not in self.fake.calendars:
                    raise ApiError(404, "Not Found", "notFound")
                return self._events(method, calendar_id, segments[3:])
        raise ApiError(404, "Not Found", "notFound")

    def _calendar_list(self):
        items = [{"kind": "calendar#calendarListEntry", "id": cid, "summary": cal["summary"],
                  "primary": cal["primary"], "accessRole": "owner"} for cid, cal in self.fake.calendars.items()]
        return {"kind": "calendar#calendarList", "items": items}

    def _events(self, method, calendar_id, rest):
        events = self.fake.calendars[calendar_id]["events"]
        if not rest:
            if method == "GET":
                return self._json(200, self._list(calendar_id))
            if method == "POST":
                return self._insert(calendar_id, json.loads(self.raw or b"{}"))
        elif rest == ["watch"] and method == "POST":
            return self._watch(calendar_id, json.loads(self.raw or b"{}"))
        elif len(rest) == 1:
            event = events.get(rest[0])
            if event is None:
                raise ApiError(404, "Not Found", "notFound")
            if method == "DELETE":
                if event["status"] == "cancelled":
                    raise ApiError(410, "Resource has been deleted", "deleted")
                self.fake._store(calendar_id, {**event, "status": "cancelled"})
                return self._empty(204)
            if method == "GET":
                return self._json(200, _public(event))
            if method in ("PATCH", "PUT"):
                body = json.loads(self.raw or b"{}")
                merged = {**event, **body} if method == "PATCH" else {**body, "status": body.get("status", "confirmed")}
                merged["id"] = event["id"]
                merged = self._conference(merged)
                if self.query.get("conferenceDataVersion") != "1" and "conferenceData" in event:
                    merged.update(conferenceData=event["conferenceData"], hangoutLink=event.get("hangoutLink"))
                return self._json(200, _public(self.fake._store(calendar_id, merged)))
        raise ApiError(404, "Not Found", "notFound")

    def _insert(self, calendar_id, body):
        events = self.fake.calendars[calendar_id]["events"]
        event_id = body.get("id") or secrets.token_hex(10)
        if not EVENT_ID.match(event_id):
            raise ApiError(400, "Invalid resource id value.", "invalid")
        if event_id in events:
            raise ApiError(409, "The requested identifier already exists.", "duplicate")
        if "start" not in body or "end" not in body:
            raise ApiError(400, "Missing time.", "required")
        event = self._conference({**body, "id": event_id, "status": body.get("status", "confirmed")})
        return self._json(200, _public(self.fake._store(calendar_id, event)))

    def _conference(self, event):
        """Google Meet: with ``conferenceDataVersion=1`` a ``createRequest`` makes a Meet link (the same one for the
        same requestId); without it Google ignores ``conferenceData``."""
        data = event.pop("conferenceData", None)
        if self.query.get("conferenceDataVersion") != "1" or not data:
            return event
        request = data.get("createRequest") or {}
        if request and (request.get("conferenceSolutionKey") or {}).get("type") != "hangoutsMeet":
            raise ApiError(400, "Invalid conference type value.", "invalid")
        if request:
            code = hashlib.sha256(request.get("requestId", "").encode()).hexdigest()
            uri = f"https://meet.google.com/{code[:3]}-{code[3:7]}-{code[7:10]}"
            data = {"conferenceId": code[:10], "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
                    "createRequest": {**request, "status": {"statusCode": "success"}},
                    "entryPoints": [{"entryPointType": "video", "uri": uri}]}
            self.fake.conference_requests.append(request.get("requestId", ""))
        event.update(conferenceData=data, hangoutLink=data["entryPoints"][0]["uri"])
        return event

    def _list(self, calendar_id):
        q = self.query
        page_size = min(int(q.get("maxResults") or self.fake.default_page_size), 2500)
        if "pageToken" in q:
            since, offset = (int(x) for x in q["pageToken"].split(":"))
            since = None if since < 0 else since
        elif "syncToken" in q:
            since = self._check_sync_token(calendar_id, q["syncToken"])
            offset = 0
        else:
            since, offset = None, 0
        events = sorted(self.fake.calendars[calendar_id]["events"].values(), key=lambda e: e["_seq"])
        if since is None:
            events = [e for e in events if e["status"] != "cancelled" or q.get("showDeleted") == "true"]
        else:
            events = [e for e in events if e["_seq"] > since]
        if q.get("singleEvents") == "true":
            events = [instance for event in events for instance in _expand(event)]
        page = events[offset:offset + page_size]
        body = {"kind": "calendar#events", "summary": self.fake.calendars[calendar_id]["summary"],
                "items": [_public(e) for e in page]}
        if offset + page_size < len(events):
            body["nextPageToken"] = f"{-1 if since is None else since}:{offset + page_size}"
        else:
            body["nextSyncToken"] = f"{calendar_id}|{self.fake.generation}|{self.fake.seq}"
        return body

    def _check_sync_token(self, calendar_id, token):
        cal, generation, seq = (token.rsplit("|", 2) + ["", ""])[:3]
        if cal != calendar_id or not seq.isdigit():
            raise ApiError(400, "Invalid sync token value.", "invalid")
        if generation != str(self.fake.generation):
            raise ApiError(410, "Sync token is no longer valid, a full sync is required.", "fullSyncRequired")
        return int(seq)

    def _watch(self, calendar_id, body):
        if body.get("type") not in ("web_hook", "webhook") or not body.get("address") or not body.get("id"):
            raise ApiError(400, "Missing channel id, type or address.", "required")
        if body["id"] in self.fake.channels:
            raise ApiError(400, "Channel id not unique.", "channelIdNotUnique")
        ttl = int((body.get("params") or {}).get("ttl", 604800))
        channel = {"kind": "api#channel", "id": body["id"], "resourceId": secrets.token_urlsafe(12),
                   "resourceUri": f"{self.fake.url}/calendar/v3/calendars/{calendar_id}/events",
                   "token": body.get("token", ""), "expiration": str(int((time.time() + ttl) * 1000))}
        self.fake.channels[body["id"]] = {**channel, "address": body["address"], "calendar": calendar_id}
        return self._json(200, channel)

    def _stop_channel(self):
        body = json.loads(self.raw or b"{}")
        channel = self.fake.channels.get(body.get("id"))
        if channel is None or channel["resourceId"] != body.get("resourceId"):
            raise ApiError(404, f"Channel '{body.get('id')}' not found for project.", "notFound")
        del self.fake.channels[body["id"]]
        self.fake.stopped_channels.append(body["id"])
        return self._empty(204)

    # Responses -------------------------------------------------------------------------------------------------

    def _json(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _empty(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=12112)
    parser.add_argument("--client-id", default="fake-client-id.apps.googleusercontent.com")
    parser.add_argument("--client-secret", default="fake-secret")
    args = parser.parse_args()
    fake = FakeGoogle(client_id=args.client_id, client_secret=args.client_secret)
    print(fake.start(port=args.port), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
