"""The contract every calendar backend keeps: Google, Microsoft 365, CalDAV, iCal subscriptions and the dummy.

A backend is a thin adapter over one kind of calendar service. It holds no database rows: the sync engine
(``sync/engine.py``) owns the connection, its calendars, cursors, watches and busy blocks, decrypts the
credentials before calling a backend and encrypts :attr:`CalendarBackend.credentials` again afterwards (a backend
that refreshes an OAuth token just replaces the string). Backends are chosen by ``kind`` through
``WAGTAIL_BOOKING["CALENDAR_BACKENDS"]`` (see ``sync/backends/__init__.py``), and import their SDK only in their own
module, so a site without ``msal`` or ``caldav`` installed still runs.

Errors a backend raises, and what the engine does with them:

* :class:`ReconnectNeeded` — the grant was revoked, the password changed, the account is gone. The connection is
  marked "reconnect needed"; the busy blocks from the last successful sync stay in use.
* :class:`Unavailable` — the service did not answer, or asked us to slow down (429 with ``retry_after``). The task
  retries later; nothing stored changes.
* :class:`CursorExpired` — the incremental cursor (sync token, delta link, sync-collection token, ETag) is no longer
  accepted. The engine calls :meth:`CalendarBackend.import_busy` again with ``cursor=""`` and replaces that calendar's
  blocks in one transaction, so availability never sees the calendar empty.
* any other :class:`CalendarError` (a feed that is not iCalendar, a calendar that disappeared) — its sentence is shown
  on the connection in the admin, the busy blocks from the last good import stay, and the next poll tries again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class CalendarError(Exception):
    """Base class; ``str(error)`` is a sentence the owner can read in the admin."""


class ReconnectNeeded(CalendarError):
    """The stored credentials no longer give access: the owner must connect again."""


class Unavailable(CalendarError):
    """Try again later. ``retry_after`` is the number of seconds the service asked for, when it said."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class CursorExpired(CalendarError):
    """The incremental cursor was refused: sync this calendar again in full."""


@dataclass(frozen=True)
class RemoteCalendar:
    """One calendar of the connected account."""

    id: str
    name: str
    primary: bool = False  # the account's main calendar: counts as busy and receives bookings by default
    writable: bool = True


@dataclass(frozen=True)
class BusyEvent:
    """One span of busy time. ``uid`` is stable across syncs (for a recurring event, one per occurrence)."""

    uid: str
    start: datetime  # aware
    end: datetime  # aware, > start
    title: str = ""  # already "Busy" when the event is private


@dataclass(frozen=True)
class BusyChanges:
    """What changed in one calendar since ``cursor``.

    ``full`` means ``busy`` is the calendar's whole busy time in the import window (the engine drops every other
    block of that calendar); otherwise ``busy`` holds new or changed spans and ``removed`` the uids that stopped
    being busy (deleted, cancelled, declined, made free, or written by us). ``cursor`` is stored and passed back
    next time; "" means the backend has none and the next import is full again.
    """

    busy: list[BusyEvent] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    cursor: str = ""
    full: bool = False


@dataclass(frozen=True)
class EventDraft:
    """A confirmed booking as it should appear on the provider's calendar."""

    reference: str  # the booking reference: backends derive a stable event id / UID from it (idempotent retries)
    summary: str
    description: str
    start: datetime  # aware
    end: datetime
    time_zone: str  # the provider's IANA zone
    online_meeting: bool = False  # ask the service for a meeting link (Meet, Teams) when it can make one


@dataclass(frozen=True)
class WrittenEvent:
    event_id: str  # what :meth:`CalendarBackend.write_event` and :meth:`delete_event` get back next time
    meeting_url: str = ""  # the video link the service made, when ``online_meeting`` was asked and it could


@dataclass(frozen=True)
class Watch:
    """A push subscription on one calendar. The engine stores it; ``secret`` is stored only as a hash."""

    id: str
    secret: str
    resource: str = ""
    expires_at: datetime | None = None


class CalendarBackend:
    """Base class. Subclasses set the class attributes and override what their kind supports.

    ``credentials`` is the decrypted secret the engine stored for the connection (an OAuth token cache as JSON,
    ``{"url", "username", "password"}`` JSON for CalDAV, the feed URL for an iCal subscription); ``options`` the
    backend's ``OPTIONS`` from settings. One instance serves one task: SDK clients need not be thread-safe.
    """

    kind = ""  # "google", "microsoft", "caldav", "ical", "dummy"
    label = ""  # "Google Calendar", shown to the owner
    uses_oauth = False  # connect with authorization_url / finish_authorization (else with connect_form_class)
    can_write = False  # bookings can be written back to one of its calendars
    can_watch = False  # the service pushes change notifications (else the poll alone keeps busy time current)
    connect_form_class = None  # a Django form asking for what :meth:`check_login` needs (non-OAuth kinds)

    # The provider's IANA zone, set by the engine before each task: all-day events and floating times are read in
    # it (a day off in Google or iCloud is midnight to midnight where the provider works).
    time_zone = "UTC"

    def __init__(self, credentials: str = "", options: dict | None = None):
        self.credentials = credentials
        self.options = options or {}

    @classmethod
    def setup_problem(cls, options: dict) -> str:
        """Why owners cannot connect this kind yet (an SDK or an OAuth client id missing), as a sentence for the
        admin; "" when it is ready. Called when the Calendars page is drawn."""
        return ""

    # Connecting -----------------------------------------------------------------------------------------------
    def authorization_url(self, redirect_uri: str) -> tuple[str, str, str]:
        """OAuth kinds: (URL to send the owner's browser to, state, PKCE verifier). Called by the Connect view."""
        raise NotImplementedError

    def finish_authorization(self, redirect_uri: str, state: str, verifier: str, authorization_response: str) -> str:
        """OAuth kinds: exchange the code; returns the credentials to store and sets ``self.credentials``.
        Raises :class:`ReconnectNeeded` when the service refuses."""
        raise NotImplementedError

    def check_login(self, cleaned_data: dict) -> str:
        """Form kinds: try the login from ``connect_form_class``'s cleaned data; returns the credentials to store.
        Raises :class:`ReconnectNeeded` with a sentence for the form when the service refuses them."""
        raise NotImplementedError

    def account_name(self) -> str:
        """The account as the owner knows it (an email address, a server and user name, a feed's host)."""
        return ""

    def revoke(self) -> None:
        """Disconnecting: give up the grant at the service, best effort. Called before the engine forgets it."""

    # Busy time in ---------------------------------------------------------------------------------------------
    def list_calendars(self) -> list[RemoteCalendar]:
        raise NotImplementedError

    def import_busy(self, calendar_id: str, cursor: str, start: datetime, end: datetime) -> BusyChanges:
        """Busy time of one calendar changed since ``cursor`` ("" = everything), within [start, end).

        Recurring events are expanded into occurrences in the event's own zone (the same wall-clock time across a
        DST change). Events this package wrote (they carry the booking reference) are never busy: they are the
        bookings themselves. Raises :class:`CursorExpired` when the cursor is refused.
        """
        raise NotImplementedError

    # Bookings out ---------------------------------------------------------------------------------------------
    def write_event(self, calendar_id: str, draft: EventDraft, event_id: str = "") -> WrittenEvent:
        """Create the booking's event, or replace it when ``event_id`` is given. Must be idempotent: a retry after
        a timeout finds the event made by the first attempt (stable id/UID from ``draft.reference``) instead of
        making a second one. When the event was deleted at the service, it is made again."""
        raise NotImplementedError

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        """Delete; an event already gone counts as done."""
        raise NotImplementedError

    # Push -----------------------------------------------------------------------------------------------------
    def watch(self, calendar_id: str, address: str) -> Watch | None:
        """Subscribe ``address`` (our public HTTPS endpoint for this kind) to changes of the calendar."""
        return None

    def stop_watch(self, calendar_id: str, watch: Watch) -> None:
        """Cancel a subscription; one already expired or unknown counts as stopped."""

    def renew_watch(self, calendar_id: str, watch: Watch) -> Watch | None:
        """Move a subscription's expiry forward in place (same id and secret), called before it runs out. ``None``
        when this kind cannot, or the subscription is gone: the engine then calls :meth:`stop_watch` and
        :meth:`watch` instead (a new id and secret)."""
        return None

    @classmethod
    def read_notification(cls, request) -> tuple[object | None, list[tuple[str, str]]]:
        """A push request arrived at this kind's endpoint. Returns (a response to send at once, or ``None``; the
        (watch id, secret) pairs it names). Google names one channel in headers; Microsoft Graph sends a
        ``validationToken`` to echo when a subscription is made, else a JSON batch of notifications with their
        ``clientState``. The engine looks each watch up, compares the secret with the stored hash and queues a sync
        of that calendar; unknown or mismatched pairs are ignored (the response does not say which)."""
        return None, []
