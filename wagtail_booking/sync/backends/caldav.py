"""CalDAV (RFC 4791): iCloud, Fastmail, Nextcloud, Radicale, any standard server. The only module importing ``caldav``.

The owner connects with a server URL, a user name and an app password (``check_login``); the engine stores them
encrypted as ``{"url", "username", "password"}`` JSON. Busy time is imported incrementally:

* with a **sync-collection** token (RFC 6578) when the server supports it: the server names the objects changed and
  deleted since the token; only the changed ones are fetched (one calendar-multiget REPORT per 100);
* else by comparing the **ETags** of a depth-1 PROPFIND with the ones stored, fetching only the changed objects.

The library (1.x, kept below 2 by ``pyproject.toml``) does discovery, authentication and the HTTP session; the
REPORT and PROPFIND bodies and their parsing are in :mod:`.dav_reports`, so statuses and preconditions are seen the
same way whatever the library's version.

The cursor is JSON: the token (or ""), each object's href with its ETag and the occurrence uids it produced (a
deleted href names no uids, and a changed recurring event may lose occurrences), and the end of the window the
recurrences were expanded to. When the engine asks for a window ending on a later (UTC) day than that, the import is
full again (at most once a day) so that occurrences of unchanged recurring events entering the window are seen.

Write-back PUTs one VEVENT per booking at a stable href whose UID derives from the booking reference, so a retry
replaces instead of duplicating; it carries :data:`~.icalendar_busy.MARKER` so the import never sees it as busy.
CalDAV has no push: the engine's poll keeps busy time current.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import quote, unquote, urljoin, urlsplit

import caldav
import icalendar
from caldav.lib import error as dav_error
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml.etree import XMLSyntaxError

from . import dav_reports, icalendar_busy
from .base import (
    BusyChanges,
    CalendarBackend,
    CalendarError,
    CursorExpired,
    EventDraft,
    ReconnectNeeded,
    RemoteCalendar,
    Unavailable,
    WrittenEvent,
)
from .forms import CalDAVConnectForm

logger = logging.getLogger(__name__)

MULTIGET_BATCH = 100
MAX_SYNC_PAGES = 50
UID_DOMAIN = "wagtail-booking"
# the library raises these for 429 in its later versions only
RATE_LIMITED = tuple(filter(None, [getattr(dav_error, "RateLimitError", None)]))


class CalDAVBackend(CalendarBackend):
    """``OPTIONS``: ``TIMEOUT`` (seconds per request, default 30); ``SYNC_COLLECTION`` (default True; False
    compares ETags on every poll, for a server whose sync-collection REPORT misbehaves)."""

    kind = "caldav"
    label = gettext_lazy("CalDAV (iCloud, Fastmail, Nextcloud)")
    can_write = True
    can_watch = False
    connect_form_class = CalDAVConnectForm

    # Connecting -----------------------------------------------------------------------------------------------
    def check_login(self, cleaned_data: dict) -> str:
        credentials = json.dumps({"url": cleaned_data["url"], "username": cleaned_data["username"],
                                  "password": cleaned_data["password"]})
        host = urlsplit(cleaned_data["url"]).netloc
        try:
            with self._client(credentials) as client:
                client.principal().calendars()
        except dav_error.AuthorizationError as error:
            raise ReconnectNeeded(_("%(host)s refused this user name and app password. Check both, and use an "
                                    "app-specific password where the service asks for one.") % {"host": host}
                                  ) from error
        except (OSError, *RATE_LIMITED) as error:  # the HTTP library's connection errors are OSErrors
            raise ReconnectNeeded(_("Could not reach %(host)s. Check the server URL and try again.")
                                  % {"host": host}) from error
        except (dav_error.DAVError, XMLSyntaxError, ValueError, KeyError, AttributeError, IndexError) as error:
            raise ReconnectNeeded(_("%(url)s does not answer as a CalDAV server. Check the server URL (see the "
                                    "CalDAV how-to for your service's address).") % {"url": cleaned_data["url"]}
                                  ) from error
        self.credentials = credentials
        return credentials

    def account_name(self) -> str:
        login = self._login()
        return f"{login['username']} @ {urlsplit(login['url']).netloc}"

    # Busy time in ---------------------------------------------------------------------------------------------
    def list_calendars(self) -> list[RemoteCalendar]:
        """The principal's calendars that hold events; the first one the server lists is the primary one."""
        with self._session() as client:
            found = []
            for calendar in client.principal().calendars():
                if not _holds_events(calendar):
                    continue
                name = calendar.get_display_name() or unquote(str(calendar.url).rstrip("/").rsplit("/", 1)[-1])
                found.append(RemoteCalendar(id=str(calendar.url), name=name, primary=not found))
            return found

    def import_busy(self, calendar_id: str, cursor: str, start: datetime, end: datetime) -> BusyChanges:
        state = _State.load(cursor, end)
        if not self.options.get("SYNC_COLLECTION", True):
            state.mode = "etag"
        with self._session() as client:
            listing = _sync_changes(client, calendar_id, state) if state.mode == "sync" else None
            if listing is None:  # the server has no sync-collection (or it is switched off): compare ETags
                state.mode = "etag"
                listing = (*_etag_changes(client, calendar_id, state), "")
            changed, deleted, token = listing
            texts = _fetch(client, calendar_id, list(changed))
        return _apply(state, changed, deleted, texts, token, start, end)

    # Bookings out ---------------------------------------------------------------------------------------------
    def write_event(self, calendar_id: str, draft: EventDraft, event_id: str = "") -> WrittenEvent:
        url = event_id or event_href(calendar_id, draft.reference)
        with self._session(writing=True) as client:
            response = client.put(url, event_text(draft), {"Content-Type": "text/calendar; charset=utf-8"})
            if response.status not in (200, 201, 204):
                _fail(response, url)
        return WrittenEvent(event_id=url)

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        with self._session(writing=True) as client:
            response = client.delete(event_id)
            if response.status not in (200, 204, 404, 410):  # already gone counts as done
                _fail(response, event_id)

    # Plumbing -------------------------------------------------------------------------------------------------
    def _login(self) -> dict:
        try:
            login = json.loads(self.credentials)
            return {"url": login["url"], "username": login["username"], "password": login["password"]}
        except (ValueError, KeyError, TypeError) as error:
            raise ReconnectNeeded(_("The stored CalDAV login is incomplete; connect the calendar again.")) from error

    def _client(self, credentials: str | None = None) -> caldav.DAVClient:
        login = json.loads(credentials) if credentials else self._login()
        return caldav.DAVClient(url=login["url"], username=login["username"], password=login["password"],
                                timeout=self.options.get("TIMEOUT", 30))

    @contextmanager
    def _session(self, writing: bool = False):
        """A client, with the library's errors turned into the contract's (see ``sync/backends/base.py``)."""
        host = urlsplit(self._login()["url"]).netloc
        try:
            with self._client() as client:
                yield client
        except CalendarError:
            raise
        except RATE_LIMITED as error:
            raise Unavailable(_("%(host)s asked us to slow down.") % {"host": host},
                              retry_after=getattr(error, "retry_after_seconds", None)) from error
        except dav_error.AuthorizationError as error:
            if writing and _status_of(error) == 403:
                raise CalendarError(_("%(host)s does not let this account change the chosen calendar; choose "
                                      "another calendar for bookings.") % {"host": host}) from error
            raise ReconnectNeeded(_("%(host)s no longer accepts the stored app password; connect the calendar "
                                    "again.") % {"host": host}) from error
        except OSError as error:
            raise Unavailable(_("Could not reach %(host)s (%(error)s).") % {"host": host,
                                                                            "error": type(error).__name__}) from error
        except XMLSyntaxError as error:
            raise CalendarError(_("%(host)s answered with something that is not CalDAV.") % {"host": host}) from error
        except dav_error.NotFoundError as error:
            raise CalendarError(_("The calendar no longer exists on %(host)s.") % {"host": host}) from error
        except dav_error.DAVError as error:
            raise CalendarError(_("%(host)s refused the request (%(error)s).") % {"host": host, "error": error}
                                ) from error


def _sync_changes(client, url: str, state: _State):
    """(changed hrefs with their ETags, deleted hrefs, the new token) from sync-collection REPORTs, following a
    truncated answer (507) with the new token; None when the server cannot do sync-collection."""
    changed, deleted, token = {}, set(), state.token
    for _page in range(MAX_SYNC_PAGES):
        try:
            response = client.request(url, "REPORT", dav_reports.sync_collection_body(token),
                                      {"Depth": "0", **dav_reports.HEADERS})
        except dav_error.AuthorizationError as error:
            # a 403 names a refused token (valid-sync-token) or a refused report; the library does not always
            # keep the body, so a readable calendar tells those apart from a real loss of access
            if not _readable(client, url):
                raise
            return _refused(token, error)
        if response.status != 207 or response.tree is None:
            if response.status == 404 or response.status == 429 or 500 <= response.status != 501:
                _fail(response, url)
            return _refused(token, response.status)
        for member in dav_reports.members(response.tree, url):
            if member.status == 404:
                deleted.add(member.href)
                changed.pop(member.href, None)
            else:
                changed[member.href] = member.etag
                deleted.discard(member.href)
        token = dav_reports.sync_token(response.tree) or token
        if not dav_reports.truncated(response.tree, url):
            break
    return changed, deleted, token


def _refused(token: str, why) -> None:
    if token:  # RFC 6578: a token the server no longer knows (403 valid-sync-token; 409/412 on some servers)
        raise CursorExpired(_("The CalDAV server no longer accepts the sync token."))
    logger.info("CalDAV server has no usable sync-collection (%s): comparing ETags", why)
    return None


def _etag_changes(client, url: str, state: _State) -> tuple[dict[str, str], set[str]]:
    """(members whose ETag differs from the stored one, or all on a full import; hrefs no longer listed)."""
    response = client.propfind(url, dav_reports.ETAG_PROPFIND, depth=1)
    if response.status != 207 or response.tree is None:
        _fail(response, url)
    listed = {member.href: member.etag for member in dav_reports.members(response.tree, url)}
    changed = {href: etag for href, etag in listed.items() if state.full or not etag or etag != state.etag(href)}
    return changed, set(state.objects) - set(listed)


def _fetch(client, url: str, hrefs: list[str]) -> dict[str, str]:
    """The iCalendar text of each href (calendar-multiget, 100 at a time); a missing href is left out."""
    texts = {}
    for first in range(0, len(hrefs), MULTIGET_BATCH):
        body = dav_reports.multiget_body(hrefs[first:first + MULTIGET_BATCH])
        response = client.request(url, "REPORT", body, {"Depth": "1", **dav_reports.HEADERS})
        if response.status != 207 or response.tree is None:
            _fail(response, url)
        texts.update({m.href: m.data for m in dav_reports.members(response.tree, url) if m.data})
    return texts


def _apply(state: _State, changed: dict, deleted: set, texts: dict, token: str, start, end) -> BusyChanges:
    """Expand the fetched objects and work out which occurrence uids stopped being busy."""
    zone = icalendar_busy.zone_name(start, timezone.get_default_timezone_name())
    busy, removed = [], set()
    for href, etag in changed.items():
        if href not in texts:  # deleted between the listing and the fetch
            deleted.add(href)
            continue
        try:
            events = icalendar_busy.busy_events(texts[href], start, end, zone, private_title=_("Busy"))
        except icalendar_busy.InvalidICalendar:
            logger.warning("CalDAV object %s is not valid iCalendar; skipped", href)
            events = []
        removed |= set(state.uids(href)) - {event.uid for event in events}
        state.objects[href] = {"etag": etag, "uids": icalendar_busy.uids(events)}
        busy.extend(events)
    for href in deleted:
        removed |= set(state.uids(href))
        state.objects.pop(href, None)
    state.token = token
    return BusyChanges(busy=busy, removed=[] if state.full else sorted(removed - {e.uid for e in busy}),
                       cursor=state.dump(), full=state.full)


def _readable(client, url: str) -> bool:
    try:
        return client.propfind(url, dav_reports.ETAG_PROPFIND, depth=0).status == 207
    except dav_error.AuthorizationError:
        return False


def _fail(response, url: str):
    """Raise what a failed answer means: try later (429, 5xx, with the Retry-After the server gave), or a sentence."""
    host, status = urlsplit(url).netloc, response.status
    if status == 429 or status >= 500:
        retry = str((response.headers or {}).get("Retry-After", ""))
        raise Unavailable(_("%(host)s answered with an error %(status)s.") % {"host": host, "status": status},
                          retry_after=float(retry) if retry.isdigit() else None)
    if status in (404, 410):
        raise CalendarError(_("The calendar no longer exists on %(host)s.") % {"host": host})
    raise CalendarError(_("%(host)s refused the request (%(status)s).") % {"host": host, "status": status})


def _status_of(error) -> int:
    status = getattr(error, "status", None)  # later library versions keep it
    if status:
        return status
    return 403 if "forbidden" in str(getattr(error, "reason", "")).lower() else 401


def _holds_events(calendar) -> bool:
    try:
        return "VEVENT" in calendar.get_supported_components()
    except (dav_error.DAVError, KeyError, AttributeError, IndexError):
        return True  # the server does not say: assume a general calendar


class _State:
    """The cursor, decoded. ``full`` is true when this import must replace all the calendar's busy time."""

    def __init__(self, data: dict, full: bool, end: datetime):
        self.mode = data.get("mode", "sync")
        self.token = data.get("token", "")
        self.objects: dict[str, dict] = data.get("objects", {})
        self.full, self.end = full, end

    @classmethod
    def load(cls, cursor: str, end: datetime) -> _State:
        try:
            data = json.loads(cursor) if cursor else {}
            stored_end = datetime.fromisoformat(data["end"]) if data else None
        except (ValueError, KeyError, TypeError):
            raise CursorExpired(_("The stored CalDAV cursor is unreadable.")) from None
        if stored_end is None or end.astimezone(stored_end.tzinfo).date() > stored_end.date():
            # a new day of window: expand every object again so recurring events entering it are seen
            return cls({"mode": data.get("mode", "sync")} if data else {}, full=True, end=end)
        return cls(data, full=False, end=stored_end)

    def uids(self, href: str) -> list[str]:
        return self.objects.get(href, {}).get("uids", [])

    def etag(self, href: str) -> str:
        return self.objects.get(href, {}).get("etag", "")

    def dump(self) -> str:
        return json.dumps({"mode": self.mode, "token": self.token, "end": self.end.isoformat(),
                           "objects": self.objects}, sort_keys=True, separators=(",", ":"))


def event_uid(reference: str) -> str:
    return f"{reference}@{UID_DOMAIN}"


def event_href(calendar_id: str, reference: str) -> str:
    """The booking's object URL in the calendar: stable, so a retried PUT replaces the first one."""
    return urljoin(calendar_id.rstrip("/") + "/", quote(f"{UID_DOMAIN}-{reference}.ics"))


def event_text(draft: EventDraft) -> str:
    """A VCALENDAR with the booking's VEVENT, in the provider's zone with its VTIMEZONE."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(draft.time_zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//wagtail-booking//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", event_uid(draft.reference))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", draft.start.astimezone(zone))
    event.add("dtend", draft.end.astimezone(zone))
    event.add("summary", draft.summary)
    if draft.description:
        event.add("description", draft.description)
    event.add(icalendar_busy.MARKER, draft.reference)
    calendar.add_component(event)
    # the zone's rules around the booking only: a VTIMEZONE for 1970-2038 would be 3 kB on every event
    calendar.add_missing_timezones(first_date=(draft.start - timedelta(days=1)).date(),
                                   last_date=(draft.end + timedelta(days=366)).date())
    return calendar.to_ical().decode()
