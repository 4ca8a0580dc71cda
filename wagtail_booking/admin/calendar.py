"""The bookings calendar in the Wagtail admin: a day or week of one business, for one provider, several or all.

The page is rendered on the server (toolbar, provider choice and a list of the shown days, so it works without
JavaScript and reads well with a screen reader) and enhanced with FullCalendar (vendored from npm, see
``scripts/vendor_fullcalendar.sh``), whose events come from :func:`feed`. Every moment crosses the wire as a
wall-clock time of the business's zone without an offset: FullCalendar shows a named zone that way without a
time-zone plugin, and what it sends back (a dropped booking, a clicked free time) is read in the same zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from ..bookings.models import Booking
from ..businesses import chosen_business, sites_for_user
from ..site_settings import business_zone
from ..snippets.models import BusyBlock, Provider, TimeOff, WeeklyHours

VIEW_PERMISSION = "wagtail_booking.view_booking"
MOVE_PERMISSION = "wagtail_booking.manage_bookings"
ADD_PERMISSION = "wagtail_booking.add_booking"
VIEWS = {"week": 7, "day": 1}
LONGEST_RANGE = timedelta(days=42)  # what the feed answers at most (a month view's six weeks)
# Statuses drawn on the calendar: what keeps a provider busy (cancelled and declined ones are in the listing).
SHOWN_STATUSES = ("held", "requested", "confirmed", "completed", "no_show")
MOVABLE_STATUSES = ("requested", "confirmed")


class BadInput(ValueError):
    """A query parameter a person (or a tampered URL) got wrong: answered with a 400 saying which."""


def can_view(user) -> bool:
    return user.is_superuser or user.has_perm(VIEW_PERMISSION)


business_of = chosen_business  # the business the page shows (businesses.chosen_business)


def parse_local(text: str, zone: ZoneInfo) -> datetime:
    """``2027-03-15T10:00:00`` (a wall-clock time in ``zone``), or an ISO time with its offset, as an aware time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError) as error:
        raise BadInput(_("“%(text)s” is not a date and time such as 2027-03-15T10:00.") % {"text": text}) from error
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def wall(moment: datetime, zone: ZoneInfo) -> str:
    """``moment`` as FullCalendar takes it for a named zone: local wall-clock time, no offset."""
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")


def chosen_provider_ids(request) -> set[int]:
    """``?provider=1&provider=2`` or ``?providers=1,2``: the ids asked for (checked against the business later)."""
    raw = request.GET.getlist("provider") + ",".join(request.GET.getlist("providers")).split(",")
    ids = {part.strip() for part in raw if part.strip()}
    if not all(part.isdigit() for part in ids):
        raise BadInput(_("Providers are given by their numbers."))
    return {int(part) for part in ids}


def providers_of(site, wanted: set[int]) -> list[Provider]:
    """The business's staff asked for, or all its active staff when none (or none of its own) were asked. Rooms and
    equipment are not columns: a booking's room is shown on its entry."""
    rows = list(Provider.objects.filter(site=site, kind=Provider.Kind.STAFF).order_by("name", "pk")
                .only("pk", "name", "active", "timezone"))
    chosen = [row for row in rows if row.pk in wanted]
    return chosen or [row for row in rows if row.active]


# Events ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One thing on the calendar, as both FullCalendar and the server-rendered list show it."""

    kind: str  # booking, busy, time_off
    key: str
    start: datetime
    end: datetime
    label: str  # status or kind, in words (colour is never the only sign)
    title: str
    provider: str
    css: str
    url: str = ""
    move_url: str = ""

    def as_json(self, zone) -> dict:
        return {"id": self.key, "start": wall(self.start, zone), "end": wall(self.end, zone),
                "title": f"{self.label} · {self.title}", "url": self.url or None,
                "classNames": ["wb-cal-event", self.css], "editable": bool(self.move_url),
                "extendedProps": {"kind": self.kind, "label": self.label, "what": self.title,
                                  "provider": self.provider, "moveUrl": self.move_url}}


def load_events(site, providers, start, end, now=None, can_move=False) -> list[Event]:
    """Bookings, holds, classes (from their bookings), busy blocks and time off of ``providers`` overlapping
    ``[start, end)``: three queries."""
    now = now or timezone.now()
    names = {provider.pk: provider.name for provider in providers}
    # Labels translated once per call, not once per row (a big week has thousands of rows).
    statuses = {status: str(label) for status, label in Booking.Status.choices}
    busy_labels = {source: _("Busy (%(source)s)") % {"source": _source_name(source, label)}
                   for source, label in BusyBlock.Source.choices}
    busy_labels[BusyBlock.Source.MANUAL] = _("Busy")
    busy_title, time_off_label, away = _("Busy time"), _("Time off"), _("Away")
    inspect = reverse("wagtail_booking_bookings:inspect", args=[0]).replace("/0/", "/{}/")
    move = reverse("wagtail_booking_calendar_move", args=[0]).replace("/0/", "/{}/")
    events = []
    bookings = (Booking.objects.filter(site=site, provider_id__in=names, start__lt=end, end__gt=start,
                                       status__in=SHOWN_STATUSES)
                .exclude(status=Booking.Status.HELD, hold_expires_at__lte=now).order_by("pk")
                .values_list("pk", "status", "start", "end", "client_name", "service__name", "provider_id",
                             "resource__name", "session_id", "session__seats_taken", "session__capacity",
                             "session__resource__name", "deposit_step"))
    classes = set()
    for (pk, status, b_start, b_end, client, service, provider_id, room, session_id, taken, capacity,
         class_room, step) in bookings:
        if session_id is not None:  # a class is one entry with its seats taken, linked to its first booking
            if session_id not in classes:
                classes.add(session_id)
                events.append(_class_event(session_id, b_start, b_end, service, taken, capacity, class_room,
                                           names[provider_id], inspect.format(pk)))
            continue
        movable = can_move and status in MOVABLE_STATUSES
        what = f"{client} · {service} · {room}" if room else f"{client} · {service}"
        # a series' later appointment kept until its deposit is due (bookings.series_payments)
        label = _("Reserved, deposit due") if status == Booking.Status.HELD and step else statuses[status]
        events.append(Event("booking", f"booking-{pk}", b_start, b_end, label,
                            what, names[provider_id], f"wb-cal-{status.replace('_', '-')}",
                            inspect.format(pk), move.format(pk) if movable else ""))
    blocks = BusyBlock.objects.filter(provider_id__in=names, starts_at__lt=end, ends_at__gt=start).values_list(
        "pk", "title", "starts_at", "ends_at", "source", "provider_id")
    for pk, title, b_start, b_end, source, provider_id in blocks:
        synced = source != BusyBlock.Source.MANUAL
        events.append(Event("busy", f"busy-{pk}", b_start, b_end, busy_labels[source], title or busy_title,
                            names[provider_id], "wb-cal-busy wb-cal-synced" if synced else "wb-cal-busy"))
    time_off = TimeOff.objects.filter(provider_id__in=names, starts_at__lt=end, ends_at__gt=start).values_list(
        "pk", "reason", "starts_at", "ends_at", "provider_id")
    for pk, reason, t_start, t_end, provider_id in time_off:
        events.append(Event("time_off", f"time-off-{pk}", t_start, t_end, time_off_label, reason or away,
                            names[provider_id], "wb-cal-time-off"))
    events.sort(key=lambda event: (event.start, event.provider, event.key))
    return events


def _class_event(session_id, start, end, service, taken, capacity, room, provider, url) -> Event:
    title = ngettext("%(service)s · %(taken)s of %(capacity)s seat taken",
                     "%(service)s · %(taken)s of %(capacity)s seats taken", taken) % {
        "service": service, "taken": taken, "capacity": capacity}
    if room:  # as a one-to-one booking's entry names its room last
        title = f"{title} · {room}"
    return Event("class", f"class-{session_id}", start, end, _("Class"), title, provider, "wb-cal-class", url)


def _source_name(source, label) -> str:
    """``Google`` for a block synced from Google Calendar: the short name a busy block is marked with."""
    return {BusyBlock.Source.GOOGLE: _("Google"), BusyBlock.Source.ICAL: _("iCal feed"),
            BusyBlock.Source.MICROSOFT: _("Microsoft 365"), BusyBlock.Source.CALDAV: _("CalDAV"),
            BusyBlock.Source.DUMMY: _("test calendar")}.get(source, str(label))


# Views -------------------------------------------------------------------------------------------------------


def feed(request):
    """JSON events for FullCalendar: ``start``/``end`` (wall-clock in the business's zone), ``provider``s.

    A fixed number of queries whatever the number of providers and bookings (tests/admin/test_calendar.py).
    """
    if not can_view(request.user):
        raise PermissionDenied
    site = business_of(request)
    zone = ZoneInfo(business_zone(site))
    try:
        start = parse_local(request.GET.get("start", ""), zone)
        end = parse_local(request.GET.get("end", ""), zone)
        if not start < end <= start + LONGEST_RANGE:
            raise BadInput(_("The range must end after it starts and span at most %(days)s days.")
                           % {"days": LONGEST_RANGE.days})
        providers = providers_of(site, chosen_provider_ids(request))
    except BadInput as error:
        return JsonResponse({"error": str(error)}, status=400)
    events = load_events(site, providers, start, end, can_move=request.user.has_perm(MOVE_PERMISSION))
    return JsonResponse([event.as_json(zone) for event in events], safe=False)


def calendar(request):
    """The calendar page: toolbar, providers, FullCalendar, and the shown days as a list."""
    if not can_view(request.user):
        raise PermissionDenied
    site = business_of(request)
    zone_name = business_zone(site)
    zone = ZoneInfo(zone_name)
    today = timezone.now().astimezone(zone).date()
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "week"
    try:
        anchor = date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else today
        wanted = chosen_provider_ids(request)
    except (ValueError, BadInput):
        anchor, wanted = today, set()
    first = anchor - timedelta(days=anchor.weekday()) if view == "week" else anchor
    last = first + timedelta(days=VIEWS[view] - 1)
    start, end = (datetime.combine(first, time(0), tzinfo=zone),
                  datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone))
    providers = providers_of(site, wanted)
    can_move = request.user.has_perm(MOVE_PERMISSION)
    events = load_events(site, providers, start, end, can_move=can_move)
    shown_ids = [provider.pk for provider in providers]
    all_providers = list(Provider.objects.filter(site=site, kind=Provider.Kind.STAFF).order_by("name", "pk"))
    step = timedelta(days=VIEWS[view])

    def link(**changes):
        params = {"view": view, "date": first.isoformat(), "provider": shown_ids if wanted else [], **changes}
        if len(sites_for_user(request.user)) > 1:
            params["site"] = site.pk
        return "?" + urlencode({k: v for k, v in params.items() if v not in ("", [], None)}, doseq=True)

    add_params = {"provider": shown_ids[0]} if len(shown_ids) == 1 else {}
    context = {
        "page_title": _("Calendar"), "header_title": _("Calendar"),
        "header_icon": "calendar-alt", "business": site, "zone_name": zone_name,
        "view": view, "first": first, "last": last, "title": _range_title(first, last),
        "providers": [(provider, provider.pk in shown_ids and bool(wanted)) for provider in all_providers],
        "businesses": list(sites_for_user(request.user).order_by("site_name", "hostname")),
        "days": _agenda(events, zone, first, last),
        "links": {"prev": link(date=(first - step).isoformat()), "next": link(date=(first + step).isoformat()),
                  "today": link(date=today.isoformat()), "week": link(view="week"), "day": link(view="day")},
        "can_add": request.user.has_perm(ADD_PERMISSION), "can_move": can_move,
        "add_url": reverse("wagtail_booking_bookings:add") + ("?" + urlencode(add_params) if add_params else ""),
        "config": {
            "feedUrl": reverse("wagtail_booking_calendar_feed"), "addUrl": reverse("wagtail_booking_bookings:add"),
            "view": "timeGridWeek" if view == "week" else "timeGridDay", "date": first.isoformat(),
            "now": wall(timezone.now(), zone), "timeZone": zone_name, "site": site.pk,
            **_shown_hours(providers, events, zone, first),
            "providers": shown_ids if wanted else [], "oneProvider": shown_ids[0] if len(shown_ids) == 1 else None,
            "canAdd": request.user.has_perm(ADD_PERMISSION), "canMove": can_move,
            "locale": (get_language() or "en").lower(),
            "text": {"moved": _("Moved to %(when)s."), "refused": _("Not moved: %(why)s"),
                     "failed": _("Not moved: the server did not answer. Please try again."),
                     "loadFailed": _("The calendar could not load its events. Reload the page to try again."),
                     "nothing": _("Nothing booked.")},
        },
    }
    return TemplateResponse(request, "wagtail_booking/admin/calendar/index.html", context)


def _shown_hours(providers, events, zone, day) -> dict:
    """The hours the grid shows: from the earliest opening (or event) to the latest closing, on the business's
    clock, so a day is not mostly empty night. Working hours are in each provider's zone."""
    zones = {provider.pk: ZoneInfo(provider.timezone) for provider in providers}
    moments = []
    for provider_id, opens, closes in WeeklyHours.objects.filter(provider_id__in=zones).values_list(
            "provider_id", "opens", "closes"):
        for clock in (opens, closes):
            moments.append(datetime.combine(day, clock, tzinfo=zones[provider_id]).astimezone(zone))
    for event in events:
        start, end = event.start.astimezone(zone), event.end.astimezone(zone)
        if start.date() != end.date() and (end - start) >= timedelta(hours=20):
            continue  # a day off or a week's holiday says nothing about the hours worth showing
        moments += [start, end if end.date() == start.date() else start.replace(hour=23, minute=59)]
    if not moments:
        return {"slotMinTime": "08:00:00", "slotMaxTime": "18:00:00"}
    earliest = min(moment.hour for moment in moments)
    latest = max(moment.hour + (1 if moment.minute or moment.second else 0) for moment in moments)
    return {"slotMinTime": f"{earliest:02d}:00:00", "slotMaxTime": f"{max(latest, earliest + 1):02d}:00:00"}


def _range_title(first: date, last: date) -> str:
    if first == last:
        return date_format(first, "l j F Y")
    return f"{date_format(first, 'j M')} – {date_format(last, 'j M Y')}"


def _span_text(event, zone) -> str:
    """``09:00–17:00``, or ``09:00–Fri 19 Mar 17:00`` across days: on the business's clock (templates would
    convert to the admin user's zone)."""
    start, end = event.start.astimezone(zone), event.end.astimezone(zone)
    finish = date_format(end, "D j M H:i") if end.date() != start.date() else end.strftime("%H:%M")
    return f"{start:%H:%M}–{finish}"


def _agenda(events, zone, first, last):
    """The shown days, each with its events, for the list under the calendar (and for readers without it)."""
    by_day = {day: list(rows) for day, rows in groupby(events, lambda event: event.start.astimezone(zone).date())}
    days, day = [], first
    while day <= last:
        rows = by_day.get(day, [])
        if day == first:  # an event that began before the range (a week's time off) is listed on its first day
            rows = [event for event in events if event.start.astimezone(zone).date() < first] + rows
        days.append({"day": day, "events": [(event, _span_text(event, zone)) for event in rows]})
        day += timedelta(days=1)
    return days
