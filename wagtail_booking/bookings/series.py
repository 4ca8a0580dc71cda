"""Recurring series: plan the occurrences, list the conflicts with alternatives, book them in one transaction, and
cancel or move one occurrence or this and all following.

Each occurrence is an ordinary :class:`Booking` with ``series`` set, written under the provider lock (and, for a
service that needs a room, the pool's locks) like any other booking, so every guarantee of a single booking (the
re-check, the no-overlap constraints, the lowest free room) holds for each.
The dates come from the pure :mod:`wagtail_booking.scheduling.series` (same wall-clock time across DST).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..conf import booking_settings
from ..formats import when
from ..scheduling import compute_slots, nearest_slots
from ..scheduling.resources import ResourceIndex, with_resources
from ..scheduling.series import SeriesRule, is_capped, occurrence_starts
from ..scheduling.slots import BusyIndex, availability_windows, local_instant
from ..scheduling.types import Slot
from ..site_settings import business_currency
from ..snippets.models import Provider, Service
from ..snippets.prices import NotPricedIn, price_in
from . import history, holds, resources, series_payments, services, writes
from .availability import available_slots, load_schedules
from .models import Booking, BookingSeries
from .tokens import issue_token
from .writes import BookingError, ClientDetails, NotAllowed, SlotUnavailable

ALL_OR_NOTHING, SKIP = "all_or_nothing", "skip"
ALTERNATIVES_PER_DATE = 4
LIVE = (Booking.Status.REQUESTED, Booking.Status.CONFIRMED)

# Why an occurrence cannot be booked as asked, in words for the client.
CLOSED, BUSY, NOT_OFFERED, NO_ROOM = "closed", "busy", "not_offered", "no_room"
REASONS = {CLOSED: gettext_lazy("Closed that day"), BUSY: gettext_lazy("Already booked at that time"),
           NOT_OFFERED: gettext_lazy("Not bookable at that time"),
           NO_ROOM: gettext_lazy("No room or equipment free at that time")}


class SeriesUnavailable(SlotUnavailable):
    """Some occurrences cannot be booked (all-or-nothing, or a lost race): ``conflicts`` lists each, with
    alternatives. 409, like any lost slot."""

    def __init__(self, message, conflicts):
        super().__init__(message, alternatives=[alt for item in conflicts for alt in item.alternatives][:3])
        self.conflicts = list(conflicts)


@dataclass(frozen=True)
class Occurrence:
    """One date of the plan: ``slot`` when it is free as asked, else why not and the same day's free starts."""

    start: datetime
    end: datetime
    slot: Slot | None
    reason: str = ""
    alternatives: tuple[Slot, ...] = ()

    @property
    def is_free(self) -> bool:
        return self.slot is not None

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, ""))


@dataclass(frozen=True)
class SeriesPlan:
    service: Service
    provider: Provider
    rule: SeriesRule
    occurrences: tuple[Occurrence, ...]
    capped: bool = False
    by_staff: bool = False

    @property
    def conflicts(self) -> list[Occurrence]:
        return [item for item in self.occurrences if not item.is_free]


@dataclass(frozen=True)
class SeriesRequest:
    """What the client (or staff) asks for: the rule, and for a conflicting date either an alternative start
    (``replacements``: asked start -> chosen start) or, with ``on_conflict=SKIP``, nothing."""

    rule: SeriesRule
    on_conflict: str = ALL_OR_NOTHING
    replacements: dict = field(default_factory=dict)


def check_allowed(service: Service, by: str) -> None:
    """Refuse, with a sentence the client can act on, a series this service or this person cannot book."""
    if service.is_class:
        raise NotAllowed(_("%(service)s is a group class; book each class on its own.") % {"service": service.name},
                         field="service")
    if by == history.BY_STAFF:
        return
    if not service.allow_series:
        raise NotAllowed(_("%(service)s cannot be booked as a series online. Please contact us.")
                         % {"service": service.name}, field="repeat")
    if not holds.payment_available(service):
        raise NotAllowed(str(holds.PAYMENT_UNAVAILABLE), field="repeat")


def rule_for(service: Service, provider: Provider, first_start: datetime, every_weeks=1, count=None,
             until=None) -> SeriesRule:
    """The rule of a series whose first occurrence is ``first_start``, in the provider's zone, capped by the
    service's longest series. Bad numbers are a :class:`BookingError` naming the field."""
    try:
        every_weeks = int(every_weeks)
        count = int(count) if count not in (None, "") else None
    except (TypeError, ValueError) as error:
        raise BookingError(_("Give whole numbers for how often and how many times."), field="repeat") from error
    if not 1 <= every_weeks <= 12:
        raise BookingError(_("Repeat every 1 to 12 weeks."), field="every_weeks")
    if count is None and until is None:
        raise BookingError(_("Say how many times, or until which date."), field="count")
    if count is not None and not 2 <= count <= service.max_series_occurrences:
        raise BookingError(_("A series of %(service)s has 2 to %(max)s appointments.")
                           % {"service": service.name, "max": service.max_series_occurrences}, field="count")
    local_first = first_start.astimezone(ZoneInfo(provider.timezone)).date()
    if until is not None and until < local_first + timedelta(weeks=every_weeks):
        raise BookingError(_("The last date must be at least one repeat after the first appointment."),
                           field="until")
    return SeriesRule.starting_at(first_start, provider.timezone, every_weeks=every_weeks, count=count, until=until,
                                  cap=service.max_series_occurrences)


def plan(service: Service, provider: Provider, rule: SeriesRule, now=None, by=history.BY_CLIENT) -> SeriesPlan:
    """Each occurrence checked against the provider's availability (and the pool's, for a service that needs a
    room), in 3 queries whatever the length (6 with a pool).

    A client's occurrence must be one of the free starts (hours, grid, notice, horizon, busy time, a room free);
    staff's only needs the provider and a room free then (as a booking staff enter by hand). A free occurrence's
    slot names the room it would take (the lowest free id). A conflict lists the free starts of the same local
    day, nearest first.
    """
    now = now or timezone.now()
    starts = occurrence_starts(rule)
    rules = service.rules
    span_start, span_end = starts[0] - timedelta(days=1), starts[-1] + timedelta(days=1)
    schedules = load_schedules(service, span_start, span_end, [provider.pk], now, active_only=False)
    if not schedules:
        raise BookingError(_("%(provider)s does not offer %(service)s.")
                           % {"provider": provider, "service": service}, field="provider")
    schedule = schedules[0]
    busy = BusyIndex(schedule.busy)
    open_slots = {slot.start: slot for slot in compute_slots([schedule], rules, span_start, span_end, now)}
    rooms = _rooms(service, span_start, span_end, now)
    free = open_slots if rooms is None else {slot.start: slot for slot in with_resources(open_slots.values(), rooms)}
    zone = ZoneInfo(schedule.timezone)
    occurrences = []
    for start in starts:
        if by == history.BY_STAFF:
            provider_free = not busy.overlaps(rules.blocked(start)) and start > now
            slot = _staff_slot(start, provider.pk, rules, rooms) if provider_free else None
        else:
            provider_free, slot = start in open_slots, free.get(start)
        if slot is not None:
            occurrences.append(Occurrence(start, start + rules.duration, slot))
            continue
        day = start.astimezone(zone).date()
        same_day = [s for s in free.values() if s.start.astimezone(zone).date() == day]
        nearest = sorted(same_day, key=lambda s: (abs(s.start - start), s.start))[:ALTERNATIVES_PER_DATE]
        reason = NO_ROOM if provider_free else _reason(schedule, day, start, rules, busy)
        occurrences.append(Occurrence(start, start + rules.duration, None, reason, tuple(nearest)))
    return SeriesPlan(service, provider, rule, tuple(occurrences), is_capped(rule), by == history.BY_STAFF)


def _rooms(service, start, end, now) -> ResourceIndex | None:
    """The pool's members over the series' span (3 queries), or None for a service that needs no room."""
    if not resources.needs_resource(service):
        return None
    return ResourceIndex(resources.load_resource_schedules(service, start, end, now), service.rules, start, end)


def _staff_slot(start, provider_id, rules, rooms) -> Slot | None:
    """Staff's occurrence, its provider free: with the lowest free room (any hour, never busy), or None."""
    if rooms is None:
        return Slot(start, start + rules.duration, provider_id)
    room = rooms.free_resource(start, within_hours=False)
    return Slot(start, start + rules.duration, provider_id, room) if room is not None else None


def _reason(schedule, day, start, rules, busy) -> str:
    if not availability_windows(schedule, day, day):
        return CLOSED
    if busy.overlaps(rules.blocked(start)):
        return BUSY
    return NOT_OFFERED


def book(service: Service, provider: Provider, request: SeriesRequest, client: ClientDetails,
         by: str = history.BY_CLIENT, now=None, currency=None,
         payment: str = BookingSeries.Payment.PER_OCCURRENCE) -> BookingSeries:
    """Book the series in one transaction under the provider lock (and the pool's), re-checking every date; each
    occurrence of a service that needs a room takes the lowest-id room free then.

    All-or-nothing refuses (nothing written) when any date is not free and has no chosen alternative; skip books
    the rest. Either way a date lost to a race since the preview is a :class:`SeriesUnavailable` naming it.
    With a deposit every date is held and the first deposit is paid at the checkout; ``payment`` says whether the
    later deposits are charged right after it to the same card (up front) or each before its date
    (``series_payments``).
    """
    now = now or timezone.now()
    check_allowed(service, by)
    if by != history.BY_STAFF:
        if not service.active:
            raise BookingError(_("This service is not bookable at the moment."), field="service")
        if not service.providers.filter(pk=provider.pk, active=True).exists():
            raise BookingError(_("%(provider)s does not offer %(service)s.")
                               % {"provider": provider, "service": service}, field="provider")
    quote = _quote(service, currency, by)
    with transaction.atomic():
        writes.lock_providers(service, [provider.pk], any_state=by == history.BY_STAFF)
        resources.lock_pool(service, now)  # the rooms' rows after the provider's (lock order, ``writes``)
        writes.release_expired_holds([provider.pk], now)
        chosen, conflicts = _resolve(plan(service, provider, request.rule, now, by), request)
        if conflicts and (request.on_conflict != SKIP or not chosen):
            raise SeriesUnavailable(_conflict_message(conflicts, client.timezone, skipping=request.on_conflict == SKIP),
                                    conflicts)
        series = BookingSeries.objects.create(
            site_id=service.site_id, service=service, provider=provider, every_weeks=request.rule.every_weeks,
            occurrences=request.rule.count, until=request.rule.until, local_time=request.rule.wall_time,
            timezone=request.rule.zone, client_name=client.name, client_email=client.email, created_by=by,
            payment=payment if quote and quote.deposit > 0 else BookingSeries.Payment.PER_OCCURRENCE)
        for index, slot in enumerate(chosen):
            _add_occurrence(series, slot, client, quote, by, now, told_with_first=index > 0)
    return series


def _quote(service, currency, by):
    if by == history.BY_STAFF:
        return None
    try:
        return price_in(service, currency)
    except NotPricedIn as error:
        raise NotAllowed(_("%(service)s cannot be booked in %(currency)s; it is priced in %(currencies)s.")
                         % {"service": service.name, "currency": error.currency,
                            "currencies": ", ".join(error.currencies)}, field="currency") from error


def _resolve(series_plan, request):
    """The slots to book (the free dates and the chosen alternatives) and the dates left in conflict."""
    chosen, conflicts = [], []
    for item in series_plan.occurrences:
        if item.is_free:
            chosen.append(item.slot)
            continue
        wanted = request.replacements.get(item.start)
        slot = next((alt for alt in item.alternatives if alt.start == wanted), None)
        if slot is not None:
            chosen.append(slot)
        else:
            conflicts.append(item)
    return chosen, conflicts


def _conflict_message(conflicts, zone, skipping) -> str:
    dates = ", ".join(when(item.start, zone) for item in conflicts)
    if skipping:
        return _("None of the dates can be booked: %(dates)s.") % {"dates": dates}
    return _("These dates cannot be booked: %(dates)s. Choose another time for each, or skip them.") % {
        "dates": dates}


def _add_occurrence(series, slot, client, quote, by, now, told_with_first=False):
    """One occurrence, confirmed, requested or held as a single booking would be. ``told_with_first``: the client
    hears of it in the first occurrence's confirmation (which lists the series), not in one message each."""
    service = series.service
    booking = Booking(site_id=service.site_id, service=service, provider_id=slot.provider_id, start=slot.start,
                      end=slot.end, status=Booking.Status.HELD, hold_expires_at=now + booking_settings.hold_duration,
                      client_name=client.name, client_email=client.email, client_phone=client.phone,
                      client_timezone=client.timezone, sms_consent=client.sms_consent and bool(client.phone),
                      language=writes.language_for(client), series=series,
                      price=quote.price if quote else service.price,
                      deposit_due=quote.deposit if quote else 0,
                      currency=quote.currency if quote else business_currency(service.site))
    writes.set_span(booking)
    booking.resource_id = slot.resource_id  # the room the plan found free under the pool's locks, or None
    booking.told_with_series = told_with_first  # read by the notification receivers, on this instance only
    issue_token(booking)
    if by != history.BY_STAFF:
        holds.set_intake(booking, service, client)
    writes.insert(booking, service, slot.start, [slot.provider_id], now)
    history.record(booking, "created", by)
    if by == history.BY_STAFF:
        writes.confirm(booking, now, by=history.BY_STAFF)
    elif booking.deposit_due == 0:
        holds.advance_hold(booking, now)
    # else held: the first deposit is paid now, each later one before its appointment (``series_payments``)
    return booking




# Changing a booked series -------------------------------------------------------------------------------------


def following(booking: Booking) -> list[Booking]:
    """``booking`` and the later live occurrences of its series, in time order (just ``booking`` alone)."""
    if booking.series_id is None:
        return [booking]
    waiting = Q(status=Booking.Status.HELD, deposit_step__in=series_payments.AWAITING,
                hold_expires_at__gt=timezone.now())
    later = (Booking.objects.filter(Q(status__in=LIVE) | waiting, series_id=booking.series_id,
                                    start__gt=booking.start)
             .select_related("service", "provider").order_by("start"))
    return [booking, *later]


def cancel(booking: Booking, and_following: bool = False, by: str = "client", now=None) -> list[Booking]:
    """Cancel one occurrence, or it and all later ones, each exactly as a single booking is cancelled: the
    client's cut-off and the cancellation policy (refund or fee) apply to each. All or none."""
    now = now or timezone.now()
    targets = following(booking) if and_following else [booking]
    with transaction.atomic():
        for target in targets:
            services.cancel(target, by=by, now=now)
    return targets


def move(booking: Booking, new_start: datetime, and_following: bool = False, by: str = "client",
         now=None) -> list[Booking]:
    """Move one occurrence, or it and all later ones by the same number of local days to the same new local time
    (in the provider's zone, so the wall-clock time holds across DST). All or none: a date that is not free is a
    :class:`SeriesUnavailable` naming it."""
    now = now or timezone.now()
    if not and_following:
        return [services.reschedule(booking, new_start, by=by, now=now)]
    zone = ZoneInfo(booking.provider.timezone)
    old_local, new_local = booking.start.astimezone(zone), new_start.astimezone(zone)
    days, wall = (new_local.date() - old_local.date()).days, new_local.time().replace(tzinfo=None)
    targets = following(booking)
    moves = [(target, local_instant(target.start.astimezone(zone).date() + timedelta(days=days), wall, zone))
             for target in targets]
    # Moving later, the last goes first (and moving earlier, the first), so no occurrence lands on a sibling's
    # old place before that sibling has left it.
    moves.sort(key=lambda pair: pair[0].start, reverse=new_start > booking.start)
    with transaction.atomic():
        for target, start in moves:
            try:
                services.reschedule(target, start, by=by, now=now)
            except SlotUnavailable as error:
                lost = Occurrence(start, start + (target.end - target.start), None, BUSY, tuple(error.alternatives))
                raise SeriesUnavailable(_("%(date)s is not free, so nothing was moved.")
                                        % {"date": when(start, booking.client_timezone)}, [lost]) from error
        if booking.series_id is not None:
            BookingSeries.objects.filter(pk=booking.series_id).update(local_time=wall)
    return targets




def provider_for(service: Service, start: datetime, provider: Provider | None = None, now=None) -> Provider:
    """The series' one provider: the one asked for, else whoever is free at the first start (the lowest id, as
    for a single booking to "any available"). A first start nobody has free is a :class:`SlotUnavailable`."""
    if provider is not None:
        return provider
    now = now or timezone.now()
    slots = available_slots(service, start - writes.ALTERNATIVES_WINDOW, start + writes.ALTERNATIVES_WINDOW,
                            now=now)
    for slot in slots:
        if slot.start == start:
            return Provider.objects.get(pk=slot.provider_id)
    raise SlotUnavailable(_("Sorry, the first time of the series is not available."), nearest_slots(slots, start))
