"""iCal subscriptions: read-only busy time from any .ics address (a shared or published calendar).

The credentials are the feed's address (it is often secret: whoever has it can read the calendar). A feed has one
calendar, itself. Every import is full (a feed names no changes), but the poll sends a conditional request with the
ETag and Last-Modified of the last answer, kept in the cursor, so an unchanged feed costs a 304 and no parsing.

Addresses are fetched only over HTTPS from public addresses (no loopback, private, link-local or reserved IPs, also
after a redirect), so an owner cannot make the site read its own network; the ``ALLOW_LOCAL_ADDRESSES`` option lifts
that for tests and the sandbox. A feed larger than ``MAX_BYTES`` or slower than ``TIMEOUT`` is refused.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import requests
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import icalendar_busy
from .base import BusyChanges, CalendarBackend, CalendarError, ReconnectNeeded, RemoteCalendar, Unavailable
from .forms import ICalSubscriptionForm

FEED_ID = "feed"
MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "wagtail-booking calendar subscription"


class ICalSubscriptionBackend(CalendarBackend):
    """``OPTIONS``: ``TIMEOUT`` (seconds, default 20), ``MAX_BYTES`` (default 5 MB), ``ALLOW_LOCAL_ADDRESSES``
    (default False: refuse plain http and loopback/private addresses)."""

    kind = "ical"
    label = gettext_lazy("iCal subscription (.ics address)")
    can_write = False
    can_watch = False
    connect_form_class = ICalSubscriptionForm

    def check_login(self, cleaned_data: dict) -> str:
        url = cleaned_data["url"]
        try:
            response = self._get(url, {})
            icalendar_busy.parse(self._body(response))
        except CalendarError as error:
            raise ReconnectNeeded(str(error)) from error
        except icalendar_busy.InvalidICalendar as error:
            raise ReconnectNeeded(_("%(url)s is not an iCalendar (.ics) feed. Copy the calendar's iCal address, "
                                    "not the address of its web page.") % {"url": _shown(url)}) from error
        self.credentials = url
        return url

    def account_name(self) -> str:
        return urlsplit(self.credentials).hostname or ""

    def list_calendars(self) -> list[RemoteCalendar]:
        return [RemoteCalendar(id=FEED_ID, name=self.account_name(), primary=True, writable=False)]

    def import_busy(self, calendar_id: str, cursor: str, start: datetime, end: datetime) -> BusyChanges:
        validators = _validators(cursor)
        response = self._get(self.credentials, validators)
        if response.status_code == 304:
            return BusyChanges(cursor=cursor, full=False)
        body = self._body(response)
        try:
            busy = icalendar_busy.busy_events(body, start, end,
                                              icalendar_busy.zone_name(start, timezone.get_default_timezone_name()),
                                              private_title=_("Busy"))
        except icalendar_busy.InvalidICalendar as error:
            raise CalendarError(_("The calendar at %(url)s is not a valid iCalendar (.ics) feed any more; its last "
                                  "busy times stay in use.") % {"url": _shown(self.credentials)}) from error
        kept = {"etag": response.headers.get("ETag", ""), "last_modified": response.headers.get("Last-Modified", "")}
        # a feed without validators gets no cursor: the next poll is a plain full import again
        return BusyChanges(busy=busy, cursor=json.dumps(kept) if any(kept.values()) else "", full=True)

    # Fetching -------------------------------------------------------------------------------------------------
    def _get(self, url: str, validators: dict) -> requests.Response:
        """GET with the conditional headers, following redirects by hand so each hop's address is checked."""
        headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        for _hop in range(MAX_REDIRECTS + 1):
            self._check_address(url)
            try:
                response = requests.get(url, headers=headers, timeout=self.options.get("TIMEOUT", 20), stream=True,
                                        allow_redirects=False)
            except requests.RequestException as error:
                raise Unavailable(_("Could not reach %(host)s (%(error)s).") % {
                    "host": urlsplit(url).hostname, "error": type(error).__name__}) from error
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                response.close()
                continue
            return self._checked(response, url)
        raise CalendarError(_("The calendar address redirects too many times."))

    def _checked(self, response: requests.Response, url: str) -> requests.Response:
        status = response.status_code
        if status in (401, 403, 404, 410):
            response.close()
            raise CalendarError(_("The calendar address %(url)s no longer works (the server answered %(status)s); "
                                  "ask for a new link and connect it again.") % {"url": _shown(url),
                                                                                 "status": status})
        if status == 429 or status >= 500:
            response.close()
            retry = response.headers.get("Retry-After", "")
            raise Unavailable(_("%(host)s answered %(status)s; it will be tried again.") % {
                "host": urlsplit(url).hostname, "status": status},
                retry_after=float(retry) if retry.isdigit() else None)
        if status != 304 and not 200 <= status < 300:
            response.close()
            raise CalendarError(_("%(host)s answered %(status)s instead of the calendar.") % {
                "host": urlsplit(url).hostname, "status": status})
        return response

    def _body(self, response: requests.Response) -> bytes:
        """The body, read up to ``MAX_BYTES`` and within ``TIMEOUT`` in all (a bigger or slower feed is refused
        rather than read whole into memory, or trickled in to hold the worker)."""
        limit = self.options.get("MAX_BYTES", DEFAULT_MAX_BYTES)
        too_large = CalendarError(_("The calendar feed is larger than %(size)s MB, so it is not read.")
                                  % {"size": round(limit / 1024 / 1024, 1)})
        deadline = time.monotonic() + self.options.get("TIMEOUT", 20)
        chunks, size = [], 0
        try:
            if int(response.headers.get("Content-Length") or 0) > limit:
                raise too_large
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise too_large
                if time.monotonic() > deadline:
                    raise Unavailable(_("The calendar feed took too long to arrive; it will be tried again."))
                chunks.append(chunk)
        except requests.RequestException as error:
            raise Unavailable(_("The calendar feed stopped arriving (%(error)s).") % {
                "error": type(error).__name__}) from error
        finally:
            response.close()
        return b"".join(chunks)

    def _check_address(self, url: str) -> None:
        """Refuse what is not https to a public address (SSRF), unless ``ALLOW_LOCAL_ADDRESSES``."""
        if self.options.get("ALLOW_LOCAL_ADDRESSES"):
            return
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise CalendarError(_("Only https:// (or webcal://) calendar addresses can be subscribed to."))
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
        except OSError as error:
            raise Unavailable(_("The name %(host)s could not be looked up.") % {"host": parts.hostname}) from error
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if not address.is_global:
                raise CalendarError(_("%(host)s is a private or local address; only calendars on the internet "
                                      "can be subscribed to.") % {"host": parts.hostname})


def _validators(cursor: str) -> dict:
    try:
        data = json.loads(cursor) if cursor else {}
    except ValueError:
        return {}  # unreadable: fetch unconditionally, the answer writes a new one
    return data if isinstance(data, dict) else {}


def _shown(url: str) -> str:
    """The address without its path and query, which often hold the secret that gives access to the calendar."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/…"
