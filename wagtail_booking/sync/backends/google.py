"""Google Calendar on the backend contract, over ``sync/gateway.py`` (the only module that imports Google's SDKs).

What Google sends and how it becomes busy time: recurring events come expanded (``singleEvents``), incrementally
by sync token (410 becomes :class:`CursorExpired`); cancelled, free ("transparent"), declined, working-location
events and the events we wrote (a private extended property carries the booking reference) are not busy; all-day
events block midnight to midnight in the provider's zone. Event ids are derived from the booking reference, so a
retried insert answers 409 and becomes an update. A Meet link is asked for with ``conferenceData.createRequest``.
"""

from __future__ import annotations

import base64
import functools
import re
import secrets
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...bookings.availability import local_day_bounds
from .. import sdk
from ..sdk import gateway
from .base import (
    BusyChanges,
    BusyEvent,
    CalendarBackend,
    CalendarError,
    EventDraft,
    ReconnectNeeded,
    RemoteCalendar,
    Watch,
    WrittenEvent,
)

# Private extended property on every event we write; the busy-time import skips events that carry it.
OWN_EVENT_KEY = "wagtailBookingReference"
NOT_BUSY_TYPES = {"workingLocation"}
CHANNEL_TTL = timedelta(days=7)
# Google's channel ids are [A-Za-z0-9-_+/=] (ours are uuid4 hex).
CHANNEL_ID = re.compile(r"[A-Za-z0-9_+/=-]{1,64}")


def event_id_for(reference: str) -> str:
    """Google event ids use base32hex (a-v, 0-9), 5 to 1024 characters."""
    return base64.b32hexencode(f"wagtail-booking:{reference}".encode()).decode().lower().rstrip("=")


def _keeping_tokens(method):
    """After the call, put a refreshed access token back in ``self.credentials`` for the engine to store. Google
    answers the gateway leaves as they are (a 400, a 404 on a calendar) become a :class:`CalendarError` the owner
    reads on the connection."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except gateway.HttpError as error:
            raise CalendarError(_("Google answered %(status)s: %(reason)s") % {
                "status": error.resp.status, "reason": error.reason}) from error
        finally:
            if self._creds is not None and self._creds.token != self._token:
                self.credentials, self._token = gateway.dump_credentials(self._creds), self._creds.token
    return wrapper


class GoogleBackend(CalendarBackend):
    kind = "google"
    label = gettext_lazy("Google Calendar")
    uses_oauth = True
    can_write = True
    can_watch = True

    def __init__(self, credentials: str = "", options: dict | None = None):
        super().__init__(credentials, options)
        self._creds = self._token = self._service = None

    @classmethod
    def setup_problem(cls, options: dict) -> str:
        if not sdk.available():
            return _("Google Calendar needs its libraries: pip install 'wagtail-booking[google]'.")
        if not gateway.client_config()["web"]["client_id"]:
            return _("Google sign-in is not set up: GOOGLE_OAUTH_CLIENT_ID and GOOGLE_OAUTH_CLIENT_SECRET are "
                     "missing from the settings.")
        return ""

    @property
    def service(self):
        """One Calendar client per task (httplib2 is not thread-safe)."""
        if self._service is None:
            try:
                self._creds = gateway.load_credentials(self.credentials)
            except (ValueError, KeyError) as error:
                raise ReconnectNeeded(_("The stored Google credentials cannot be read.")) from error
            self._token = self._creds.token
            self._service = gateway.build_service(self._creds)
        return self._service

    # Connecting -----------------------------------------------------------------------------------------------
    def authorization_url(self, redirect_uri):
        return gateway.authorization_url(redirect_uri)

    def finish_authorization(self, redirect_uri, state, verifier, authorization_response):
        self.credentials = gateway.exchange_code(redirect_uri, state, verifier, authorization_response)
        return self.credentials

    def account_name(self):
        """The primary calendar's id is the account's address."""
        return next((c.id for c in self.list_calendars() if c.primary), "")

    def revoke(self):
        gateway.revoke(self.credentials)

    # Busy time in ---------------------------------------------------------------------------------------------
    @_keeping_tokens
    def list_calendars(self):
        return [RemoteCalendar(id=entry["id"], name=(entry.get("summaryOverride") or entry.get("summary", ""))[:255],
                               primary=bool(entry.get("primary")),
                               writable=entry.get("accessRole", "owner") in ("owner", "writer"))
                for entry in gateway.list_calendars(self.service)]

    @_keeping_tokens
    def import_busy(self, calendar_id, cursor, start, end):
        events, token = gateway.list_events(self.service, calendar_id, cursor)
        busy, removed = [], []
        for event in events:
            span = busy_span(event, self.time_zone)
            if span is None or span[1] <= start or span[0] >= end:
                removed.append(event["id"])
                continue
            title = _("Busy") if event.get("visibility") in ("private", "confidential") else event.get("summary", "")
            busy.append(BusyEvent(uid=event["id"], start=span[0], end=span[1], title=title or _("Busy")))
        return BusyChanges(busy=busy, removed=[] if not cursor else removed, cursor=token, full=not cursor)

    # Bookings out ---------------------------------------------------------------------------------------------
    @_keeping_tokens
    def write_event(self, calendar_id, draft, event_id=""):
        body = event_body(draft)
        insert = functools.partial(gateway.insert_event, self.service, calendar_id, body)
        update = functools.partial(gateway.update_event, self.service, calendar_id, body["id"], body)
        # An insert answering 409 was made by an earlier attempt; an update finding nothing was deleted in Google.
        first, second = (update, insert) if event_id else (insert, update)
        event = first() or second() or {}
        return WrittenEvent(event_id=body["id"], meeting_url=meeting_url(event))

    @_keeping_tokens
    def delete_event(self, calendar_id, event_id):
        gateway.delete_event(self.service, calendar_id, event_id)

    # Push -----------------------------------------------------------------------------------------------------
    @_keeping_tokens
    def watch(self, calendar_id, address):
        channel_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
        channel = gateway.watch_events(self.service, calendar_id, channel_id, token, address,
                                       int(CHANNEL_TTL.total_seconds()))
        expiration = channel.get("expiration")
        expires_at = (datetime.fromtimestamp(int(expiration) / 1000, tz=UTC) if expiration
                      else timezone.now() + CHANNEL_TTL)
        return Watch(id=channel_id, secret=token, resource=channel.get("resourceId", ""), expires_at=expires_at)

    @_keeping_tokens
    def stop_watch(self, calendar_id, watch):
        gateway.stop_channel(self.service, watch.id, watch.resource)

    @classmethod
    def read_notification(cls, request):
        """A trigger, not data: Google names one channel in headers. ``sync`` is the handshake after a watch."""
        channel_id = request.headers.get("X-Goog-Channel-ID", "")
        if not CHANNEL_ID.fullmatch(channel_id):
            return None, []
        pair = (channel_id, request.headers.get("X-Goog-Channel-Token", ""))
        if request.headers.get("X-Goog-Resource-State") == "sync":
            return HttpResponse(status=200), []
        return None, [pair]


def event_body(draft: EventDraft) -> dict:
    zone = draft.time_zone
    body = {
        "id": event_id_for(draft.reference),
        "summary": draft.summary,
        "description": draft.description,
        "start": {"dateTime": draft.start.astimezone(ZoneInfo(zone)).isoformat(), "timeZone": zone},
        "end": {"dateTime": draft.end.astimezone(ZoneInfo(zone)).isoformat(), "timeZone": zone},
        "status": "confirmed",
        "transparency": "opaque",
        "visibility": "private",
        "extendedProperties": {"private": {OWN_EVENT_KEY: draft.reference}},
    }
    if draft.online_meeting:  # the same requestId on every retry and update: Google keeps one Meet per event
        body["conferenceData"] = {"createRequest": {"requestId": f"wagtail-booking-{draft.reference}",
                                                    "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    return body


def meeting_url(event: dict) -> str:
    video = [p.get("uri", "") for p in (event.get("conferenceData") or {}).get("entryPoints", [])
             if p.get("entryPointType") == "video"]
    return event.get("hangoutLink") or next(iter(video), "")


def busy_span(event: dict, zone: str) -> tuple[datetime, datetime] | None:
    """The time ``event`` keeps its owner busy, or ``None`` when it does not (free, cancelled, declined, ours)."""
    if event.get("status") == "cancelled" or event.get("transparency") == "transparent":
        return None
    if event.get("eventType") in NOT_BUSY_TYPES or _is_ours(event) or _declined(event):
        return None
    start, end = event.get("start", {}), event.get("end", {})
    if "dateTime" in start and "dateTime" in end:
        span = datetime.fromisoformat(start["dateTime"]), datetime.fromisoformat(end["dateTime"])
    elif "date" in start and "date" in end:  # all-day: Google's end date is exclusive
        first, after = date.fromisoformat(start["date"]), date.fromisoformat(end["date"])
        span = local_day_bounds(first, max(first, after - timedelta(days=1)), zone)
    else:
        return None
    return span if span[1] > span[0] else None


def _is_ours(event: dict) -> bool:
    return OWN_EVENT_KEY in ((event.get("extendedProperties") or {}).get("private") or {})


def _declined(event: dict) -> bool:
    return any(a.get("self") and a.get("responseStatus") == "declined" for a in event.get("attendees", []))
