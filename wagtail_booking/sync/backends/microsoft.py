"""Microsoft 365 and Outlook.com calendars through Microsoft Graph.

Enable it with ``WAGTAIL_BOOKING["CALENDAR_BACKENDS"]["microsoft"] = {"BACKEND":
"wagtail_booking.sync.backends.microsoft.MicrosoftBackend"}`` and the Django settings ``MICROSOFT_CLIENT_ID``,
``MICROSOFT_CLIENT_SECRET`` (and ``MICROSOFT_TENANT``, "common" by default); see docs/howto/microsoft-calendar.md.

* Busy time: delta queries over ``calendarView`` (occurrences of recurring events already expanded by Graph). The
  cursor is the window end and the ``@odata.deltaLink``: a delta link keeps the window of its first request, so
  once the import window has moved past it by a day, the next import is full again.
* Our own events carry a ``transactionId`` starting with :data:`MARKER` (a plain property of the event, where
  delta queries take no ``$expand`` for extended properties) and the booking reference in an extended property.
* Bookings out: created with a ``transactionId`` derived from the booking reference, Graph's own idempotency for
  creates (a retried POST returns the first event), replaced with PATCH, deleted with DELETE.
* Push: a Graph subscription per calendar; its ``clientState`` is the watch secret. :meth:`renew_watch` moves the
  expiry forward with PATCH (same id and secret, no new handshake).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils.translation import gettext as _

from . import microsoft_gateway as gateway
from .base import (
    BusyChanges,
    BusyEvent,
    CalendarBackend,
    CalendarError,
    CursorExpired,
    EventDraft,
    RemoteCalendar,
    Watch,
    WrittenEvent,
)
from .windows_zones import windows_name, zone_for

MARKER = "wagtail-booking-"
# A named property in the PS_PUBLIC_STRINGS set; it keeps the booking reference on the event for people and tools.
REFERENCE_PROPERTY = "String {00020329-0000-0000-C000-000000000046} Name WagtailBookingReference"
NOT_BUSY = {"free", "workingelsewhere"}
PAGE_SIZE = 100
WINDOW_SLACK = timedelta(days=1)  # how far the import window may outgrow a delta link's before a full import
WATCH_MINUTES = 4230  # about three days: within what Graph allows for event subscriptions, renewed before the end
UTC_PREFERENCE = 'outlook.timezone="UTC"'


class MicrosoftBackend(CalendarBackend):
    """Microsoft 365 (work or school) and Outlook.com (personal) accounts, through Graph."""

    kind = "microsoft"
    label = "Microsoft 365 / Outlook"
    uses_oauth = True
    can_write = True
    can_watch = True

    def __init__(self, credentials: str = "", options: dict | None = None):
        super().__init__(credentials, options)
        self._client = None

    @classmethod
    def setup_problem(cls, options: dict) -> str:
        if not (gateway._setting("MICROSOFT_CLIENT_ID") and gateway._setting("MICROSOFT_CLIENT_SECRET")):
            return _("Microsoft sign-in is not set up: MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET are missing "
                     "from the settings (see the Microsoft 365 how-to).")
        return ""

    @property
    def graph(self) -> gateway.GraphClient:
        if self._client is None:
            self._client = gateway.GraphClient(self.credentials, on_credentials=self._store_credentials)
        return self._client

    def _store_credentials(self, credentials: str) -> None:
        self.credentials = credentials

    # Connecting -----------------------------------------------------------------------------------------------
    def authorization_url(self, redirect_uri: str) -> tuple[str, str, str]:
        """The "verifier" is msal's whole flow (PKCE verifier, nonce, state, scopes) as JSON: msal needs all of it
        in the callback, and the engine keeps it encrypted like any verifier."""
        return gateway.start_flow(redirect_uri)

    def finish_authorization(self, redirect_uri: str, state: str, verifier: str, authorization_response: str) -> str:
        self.credentials = gateway.finish_flow(redirect_uri, state, verifier, authorization_response)
        self._client = None
        return self.credentials

    def account_name(self) -> str:
        me = self.graph.call("GET", "/me", params={"$select": "mail,userPrincipalName"}).json()
        return me.get("mail") or me.get("userPrincipalName") or ""

    def revoke(self) -> None:
        """Graph has no endpoint that gives up one app's refresh token (revokeSignInSessions would sign the owner
        out everywhere), so disconnecting forgets the tokens; the owner can remove the app's consent in their
        Microsoft account."""
        self.credentials = ""
        self._client = None

    # Busy time in ---------------------------------------------------------------------------------------------
    def list_calendars(self) -> list[RemoteCalendar]:
        params = {"$select": "id,name,isDefaultCalendar,canEdit"}
        return [RemoteCalendar(id=item["id"], name=item.get("name", ""), primary=bool(item.get("isDefaultCalendar")),
                               writable=bool(item.get("canEdit", True)))
                for page in self.graph.pages("/me/calendars", params=params) for item in page.get("value", [])]

    def import_busy(self, calendar_id: str, cursor: str, start: datetime, end: datetime) -> BusyChanges:
        window_end, link = (cursor.split(" ", 1) + [""])[:2]  # see the module docstring
        incremental = bool(link) and _parse_utc(window_end) >= end - WINDOW_SLACK
        headers = {"Prefer": f"{UTC_PREFERENCE}, odata.maxpagesize={PAGE_SIZE}"}
        if incremental and not link.startswith(self.graph.base + "/"):  # made for another Graph (a national cloud)
            raise CursorExpired(_("The stored delta link belongs to another Microsoft Graph address."))
        if incremental:
            pages = self.graph.pages(link, headers=headers)
        else:
            window_end = _utc_text(end)
            params = {"startDateTime": _utc_text(start), "endDateTime": window_end}
            pages = self.graph.pages(f"/me/calendars/{quote(calendar_id, safe='')}/calendarView/delta",
                                     params=params, headers=headers)
        seen, delta_link = {}, ""
        for page in pages:
            for item in page.get("value", []):
                # The same event may come more than once in one round: the last one counts.
                seen[item["id"]] = None if "@removed" in item else _busy(item, start.tzinfo)
            delta_link = page.get("@odata.deltaLink", delta_link)
        return BusyChanges(busy=[event for event in seen.values() if event],
                           removed=[uid for uid, event in seen.items() if event is None] if incremental else [],
                           cursor=f"{window_end} {delta_link}" if delta_link else "", full=not incremental)

    # Bookings out ---------------------------------------------------------------------------------------------
    def write_event(self, calendar_id: str, draft: EventDraft, event_id: str = "") -> WrittenEvent:
        body = _event_body(draft)
        if event_id:
            response = self.graph.call("PATCH", f"/me/events/{quote(event_id, safe='')}", json=body,
                                       expect=(200, 404))
            if response.status_code == 200:
                return _written(response.json())
        body.update(transactionId=transaction_id(draft.reference, replacing=event_id),
                    singleValueExtendedProperties=[{"id": REFERENCE_PROPERTY, "value": draft.reference}])
        response = self.graph.call("POST", f"/me/calendars/{quote(calendar_id, safe='')}/events", json=body,
                                   expect=(200, 201))
        return _written(response.json())

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        self.graph.call("DELETE", f"/me/events/{quote(event_id, safe='')}", expect=(200, 204, 404, 410))

    # Push -----------------------------------------------------------------------------------------------------
    def watch(self, calendar_id: str, address: str) -> Watch | None:
        """Graph first POSTs a ``validationToken`` to ``address`` and creates the subscription only if it is
        echoed (see :meth:`read_notification`), so ``address`` must already answer."""
        secret = secrets.token_urlsafe(32)
        body = {"changeType": "created,updated,deleted", "notificationUrl": address, "clientState": secret,
                "resource": f"me/calendars/{calendar_id}/events", "expirationDateTime": _expiry()}
        response = self.graph.call("POST", "/subscriptions", json=body, expect=(200, 201, 400))
        if response.status_code == 400:
            message = (response.json().get("error") or {}).get("message", "")
            raise CalendarError(_("Microsoft could not set up change notifications to %(address)s: %(message)s")
                                % {"address": address, "message": message})
        return _watch(response.json(), secret)

    def renew_watch(self, calendar_id: str, watch: Watch) -> Watch | None:
        response = self.graph.call("PATCH", f"/subscriptions/{quote(watch.id, safe='')}",
                                   json={"expirationDateTime": _expiry()}, expect=(200, 404))
        return _watch(response.json(), watch.secret) if response.status_code == 200 else None

    def stop_watch(self, calendar_id: str, watch: Watch) -> None:
        self.graph.call("DELETE", f"/subscriptions/{quote(watch.id, safe='')}", expect=(200, 204, 404))

    @classmethod
    def read_notification(cls, request) -> tuple[object | None, list[tuple[str, str]]]:
        """Graph's handshake when a subscription is made (``?validationToken=``: echo it as plain text within 10
        seconds), or a batch of change notifications: their (subscriptionId, clientState) pairs, in order, and a
        202. The notifications carry no event data we trust: they are triggers for a delta import."""
        token = request.GET.get("validationToken")
        if token is not None:
            response = HttpResponse(token, content_type="text/plain; charset=utf-8")
            response["X-Content-Type-Options"] = "nosniff"
            return response, []
        try:
            items = json.loads(request.body or b"{}").get("value")
        except (ValueError, AttributeError):
            items = None
        if not isinstance(items, list):
            return HttpResponse(_("The body is not a Microsoft Graph notification batch."), status=400,
                                content_type="text/plain; charset=utf-8"), []
        pairs = [(str(item.get("subscriptionId", "")), str(item.get("clientState") or ""))
                 for item in items if isinstance(item, dict)]
        return HttpResponse(status=202), pairs


def transaction_id(reference: str, replacing: str = "") -> str:
    """Stable per booking. Making the event again after the owner deleted it needs a new id (Graph may still map
    the old one to the deleted event), and a stable one too, so that a retry of that second create is idempotent."""
    if not replacing:
        return f"{MARKER}{reference}"
    return f"{MARKER}{reference}-{hashlib.sha256(replacing.encode()).hexdigest()[:12]}"


def _is_ours(item: dict) -> bool:
    if str(item.get("transactionId") or "").startswith(MARKER):
        return True
    return any(p.get("id") == REFERENCE_PROPERTY for p in item.get("singleValueExtendedProperties") or [])


def _busy(item: dict, fallback_zone) -> BusyEvent | None:
    """The busy span of one event of a delta page, or ``None`` when it does not block time."""
    if (_is_ours(item) or item.get("isCancelled") or item.get("type") == "seriesMaster"
            or str(item.get("showAs", "busy")).lower() in NOT_BUSY
            or (item.get("responseStatus") or {}).get("response") == "declined"):
        return None
    if item.get("isAllDay"):
        zone = zone_for(item.get("originalStartTimeZone")) or fallback_zone or UTC
        start, end = (datetime.combine(date.fromisoformat(item[k]["dateTime"][:10]), datetime.min.time(), zone)
                      for k in ("start", "end"))
    else:
        start, end = (_read(item[k]) for k in ("start", "end"))
    if end <= start:
        return None
    private = str(item.get("sensitivity", "normal")).lower() != "normal"
    return BusyEvent(uid=item["id"], start=start, end=end, title="Busy" if private else item.get("subject") or "Busy")


def _read(when: dict) -> datetime:
    """A ``dateTimeTimeZone``; we ask for UTC, but honour another zone if one comes back."""
    moment = datetime.fromisoformat(when["dateTime"][:26])
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone_for(when.get("timeZone")) or UTC)
    return moment


def _event_body(draft: EventDraft) -> dict:
    body = {"subject": draft.summary, "body": {"contentType": "text", "content": draft.description},
            "start": _wall_clock(draft.start, draft.time_zone), "end": _wall_clock(draft.end, draft.time_zone),
            "showAs": "busy", "isReminderOn": False}
    if draft.online_meeting:
        body.update(isOnlineMeeting=True, onlineMeetingProvider="teamsForBusiness")
    return body


def _wall_clock(moment: datetime, time_zone: str) -> dict:
    """The provider's wall-clock time under its Windows zone name (what Graph accepts for every zone); UTC for a
    zone without a known Windows name, which keeps the instant right and Outlook still shows it in local time."""
    name = windows_name(time_zone)
    local = moment.astimezone(ZoneInfo(time_zone) if name else UTC).replace(tzinfo=None)
    return {"dateTime": local.isoformat(timespec="seconds"), "timeZone": name or "UTC"}


def _written(event: dict) -> WrittenEvent:
    # Outlook.com (personal) accounts cannot make Teams meetings: no joinUrl, and the booking keeps no link.
    return WrittenEvent(event_id=event["id"], meeting_url=(event.get("onlineMeeting") or {}).get("joinUrl") or "")


def _watch(subscription: dict, secret: str) -> Watch:
    expires = subscription.get("expirationDateTime")
    return Watch(id=subscription["id"], secret=secret, resource=subscription.get("resource", ""),
                 expires_at=_parse_utc(expires) if expires else None)


def _expiry() -> str:
    return _utc_text(datetime.now(UTC) + timedelta(minutes=WATCH_MINUTES))


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_utc(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

