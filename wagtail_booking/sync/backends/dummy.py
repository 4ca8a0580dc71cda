"""A calendar service that lives in its own credentials, for tests and the sandbox.

The whole "account" (its calendars, their events, the events written back) is the JSON the engine stores
encrypted as the connection's credentials, so it survives between tasks and processes like a real service would.
Tests change it with the functions at the bottom (``add_busy``, ``remove_busy``, ``expire_cursors``, ``fail``) and
store the result back on the connection. A login whose account ends in ``@refused.example`` is refused.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime, timedelta

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import (
    BusyChanges,
    BusyEvent,
    CalendarBackend,
    CalendarError,
    CursorExpired,
    ReconnectNeeded,
    RemoteCalendar,
    Unavailable,
    Watch,
    WrittenEvent,
)

WATCH_TTL = timedelta(days=7)


class DummyConnectForm(forms.Form):
    account = forms.CharField(label=_("Account name"), max_length=200, initial="owner@dummy.example")
    calendars = forms.TypedChoiceField(label=_("Calendars"), coerce=int, initial=2,
                                       choices=[(1, _("One calendar")), (2, _("Two calendars"))])


class DummyBackend(CalendarBackend):
    kind = "dummy"
    label = _("Test calendar")
    can_write = True
    can_watch = True
    connect_form_class = DummyConnectForm

    def _data(self) -> dict:
        try:
            data = json.loads(self.credentials)
        except ValueError as error:
            raise ReconnectNeeded("The stored dummy account cannot be read.") from error
        failure = data.get("fail", "")
        if failure == "revoked":
            raise ReconnectNeeded("The dummy account no longer gives access.")
        if failure == "unavailable":
            raise Unavailable("The dummy service is down.", retry_after=data.get("retry_after"))
        if failure == "error":
            raise CalendarError("The dummy calendar answered something that is not a calendar.")
        return data

    def _save(self, data: dict) -> None:
        self.credentials = json.dumps(data, sort_keys=True)

    def check_login(self, cleaned_data):
        account = cleaned_data["account"]
        if account.endswith("@refused.example"):
            raise ReconnectNeeded("The dummy service refused this account.")
        calendars = [{"id": account, "name": account, "primary": True}]
        if cleaned_data.get("calendars", 1) > 1:
            calendars.append({"id": f"team-{account}", "name": "Team", "primary": False})
        self._save({"account": account, "calendars": calendars, "events": {c["id"]: {} for c in calendars},
                    "generation": 1, "seq": 0, "stopped": []})
        return self.credentials

    def account_name(self):
        return self._data()["account"]

    def list_calendars(self):
        return [RemoteCalendar(id=c["id"], name=c["name"], primary=c["primary"]) for c in self._data()["calendars"]]

    def import_busy(self, calendar_id, cursor, start, end):
        data = self._data()
        events = data["events"].get(calendar_id)
        if events is None:
            raise CalendarError(f"The calendar {calendar_id} no longer exists.")
        since = None
        if cursor:
            generation, _sep, seq = cursor.partition(":")
            if generation != str(data["generation"]):
                raise CursorExpired(calendar_id)
            since = int(seq)
        busy, removed = [], []
        for uid, event in events.items():
            if since is not None and event["seq"] <= since:
                continue
            span = datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"])
            if event.get("deleted") or event.get("ours") or span[1] <= start or span[0] >= end:
                removed.append(uid)
            else:
                busy.append(BusyEvent(uid=uid, start=span[0], end=span[1], title=event.get("title", "")))
        return BusyChanges(busy=busy, removed=removed if cursor else [], full=not cursor,
                           cursor=f"{data['generation']}:{data['seq']}")

    def write_event(self, calendar_id, draft, event_id=""):
        data = self._data()
        event_id = f"wb-{draft.reference}"  # stable: a retry finds the first attempt's event
        meeting = f"https://meet.dummy.example/{draft.reference}" if draft.online_meeting else ""
        _put(data, calendar_id, event_id, draft.start, draft.end, draft.summary, ours=draft.reference,
             meeting_url=meeting)
        self._save(data)
        return WrittenEvent(event_id=event_id, meeting_url=meeting)

    def delete_event(self, calendar_id, event_id):
        data = self._data()
        event = data["events"].get(calendar_id, {}).get(event_id)
        if event and not event.get("deleted"):
            data["seq"] += 1
            event.update(deleted=True, seq=data["seq"])
            self._save(data)

    def watch(self, calendar_id, address):
        """The "service" keeps the watch (with its secret, as Google keeps a channel's token) to post to later."""
        data = self._data()
        watch = Watch(id=uuid.uuid4().hex, secret=secrets.token_urlsafe(24), resource=calendar_id,
                      expires_at=timezone.now() + WATCH_TTL)
        data.setdefault("watches", {})[watch.id] = {"calendar": calendar_id, "secret": watch.secret,
                                                    "address": address}
        self._save(data)
        return watch

    def stop_watch(self, calendar_id, watch):
        data = self._data()
        data.setdefault("watches", {}).pop(watch.id, None)
        data["stopped"] = [*data.get("stopped", []), watch.id]
        self._save(data)

    @classmethod
    def read_notification(cls, request):
        """The dummy service posts ``{"watch": id, "secret": secret}``; a GET-style ``?ping`` is answered at once."""
        if "ping" in request.GET:
            return HttpResponse(request.GET["ping"], content_type="text/plain"), []
        try:
            body = json.loads(request.body or b"{}")
            return None, [(str(body["watch"]), str(body["secret"]))]
        except (ValueError, KeyError, TypeError):
            return None, []


def _put(data, calendar_id, uid, start, end, title, **extra) -> None:
    data["seq"] += 1
    data["events"].setdefault(calendar_id, {})[uid] = {
        "start": start.isoformat(), "end": end.isoformat(), "title": title, "seq": data["seq"], **extra}


# What a test or the sandbox does to the "service": each takes and returns the credentials JSON. -----------------
def add_busy(credentials: str, calendar_id: str, uid: str, start: datetime, end: datetime, title="Busy") -> str:
    """Add or move a busy event."""
    data = json.loads(credentials)
    _put(data, calendar_id, uid, start, end, title)
    return json.dumps(data, sort_keys=True)


def remove_busy(credentials: str, calendar_id: str, uid: str) -> str:
    data = json.loads(credentials)
    data["seq"] += 1
    data["events"][calendar_id][uid].update(deleted=True, seq=data["seq"])
    return json.dumps(data, sort_keys=True)


def expire_cursors(credentials: str) -> str:
    """Every cursor given out so far is refused from now on (as a 410 from Google, an expired delta link)."""
    data = json.loads(credentials)
    data["generation"] += 1
    return json.dumps(data, sort_keys=True)


def fail(credentials: str, how: str = "", retry_after: float | None = None) -> str:
    """``how``: "revoked", "unavailable", "error", or "" to work again."""
    data = json.loads(credentials)
    data.update(fail=how, retry_after=retry_after)
    return json.dumps(data, sort_keys=True)


def watches(credentials: str) -> dict:
    """The live watches: id -> {"calendar", "secret", "address"} (what the service would post to)."""
    return json.loads(credentials).get("watches", {})


def written(credentials: str, calendar_id: str) -> dict:
    """The live events this package wrote to ``calendar_id``: event id -> event."""
    events = json.loads(credentials)["events"].get(calendar_id, {})
    return {uid: e for uid, e in events.items() if e.get("ours") and not e.get("deleted")}
