"""Turns rows into the scheduling core's types, in a fixed number of queries whatever the range or row count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..scheduling import ProviderSchedule, compute_slots
from ..scheduling.seats import SessionSeats, class_slots
from ..scheduling.types import Slot
from ..snippets.models import BusyBlock, Provider, Service, TimeOff
from .models import Booking, ClassSession
from .resources import restrict_to_pool
from .schedules import MARGIN, schedules_of


def local_day_bounds(first: date, last: date, zone_name: str) -> tuple[datetime, datetime]:
    """Absolute ``[start, end)`` covering local dates ``first`` to ``last`` inclusive in ``zone_name``."""
    zone = ZoneInfo(zone_name)
    return (datetime.combine(first, time(0), tzinfo=zone), datetime.combine(last + timedelta(days=1), time(0),
                                                                           tzinfo=zone))


def load_schedules(service: Service, start: datetime, end: datetime, provider_ids=None, now=None,
                   exclude_booking=None, active_only=True) -> list[ProviderSchedule]:
    """Schedules of the service's active providers (optionally only ``provider_ids``), ordered by id. 3 queries.

    ``active_only=False`` includes inactive providers, for staff checking a specific provider's busy time.
    """
    providers = Provider.objects.order_by("pk")
    if active_only:
        providers = providers.filter(services=service, active=True)
    elif provider_ids is None:
        providers = providers.filter(services=service)
    if provider_ids is not None:
        providers = providers.filter(pk__in=provider_ids)
    now = now or timezone.now()
    return schedules_of(providers, start, end,
                        lambda ids: _busy_rows(ids, start - MARGIN, end + MARGIN, now, exclude_booking))


def _busy_rows(provider_ids, start, end, now, exclude_booking):
    """(provider id, start, end) of bookings, class sessions, busy blocks and time off overlapping ``[start, end)``:
    one query. A seat booking is left out: its session keeps the provider busy, once for all its seats."""
    if connection.vendor == "postgresql":
        return _busy_rows_postgresql(provider_ids, start, end, now, exclude_booking)
    return _busy_rows_orm(provider_ids, start, end, now, exclude_booking)


def _busy_rows_orm(provider_ids, start, end, now, exclude_booking):
    bookings = Booking.objects.blocking(now).filter(
        provider_id__in=provider_ids, blocked_start__lt=end, blocked_end__gt=start, session__isnull=True)
    if exclude_booking is not None:
        bookings = bookings.exclude(pk=exclude_booking.pk)
    sessions = ClassSession.objects.filter(provider_id__in=provider_ids, blocked_start__lt=end, blocked_end__gt=start,
                                           status=ClassSession.Status.SCHEDULED)
    blocks = BusyBlock.objects.filter(provider_id__in=provider_ids, starts_at__lt=end, ends_at__gt=start)
    time_off = TimeOff.objects.filter(provider_id__in=provider_ids, starts_at__lt=end, ends_at__gt=start)
    return (bookings.order_by().values_list("provider_id", "blocked_start", "blocked_end")
            .union(sessions.order_by().values_list("provider_id", "blocked_start", "blocked_end"),
                   blocks.order_by().values_list("provider_id", "starts_at", "ends_at"),
                   time_off.order_by().values_list("provider_id", "starts_at", "ends_at"), all=True))


# The same rows as _busy_rows_orm, as integer microseconds since the epoch: building the UNION with the ORM and
# parsing timestamptz text in Python took most of a month's slot search (see benchmarks/slots.py).
_BUSY_SQL = """
SELECT provider_id, {start_us}, {end_us} FROM wagtail_booking_booking
 WHERE provider_id = ANY(%(ids)s) AND blocked_start < %(end)s AND blocked_end > %(start)s
   AND status = ANY(%(statuses)s)
   AND NOT (status = 'held' AND hold_expires_at IS NOT NULL AND hold_expires_at <= %(now)s)
   AND id <> %(exclude)s AND session_id IS NULL
UNION ALL
SELECT provider_id, {start_us}, {end_us} FROM wagtail_booking_classsession
 WHERE provider_id = ANY(%(ids)s) AND blocked_start < %(end)s AND blocked_end > %(start)s AND status = 'scheduled'
UNION ALL
SELECT provider_id, {block_start_us}, {block_end_us} FROM wagtail_booking_busyblock
 WHERE provider_id = ANY(%(ids)s) AND starts_at < %(end)s AND ends_at > %(start)s
UNION ALL
SELECT provider_id, {block_start_us}, {block_end_us} FROM wagtail_booking_timeoff
 WHERE provider_id = ANY(%(ids)s) AND starts_at < %(end)s AND ends_at > %(start)s
""".format(
    start_us="(EXTRACT(EPOCH FROM blocked_start) * 1000000)::bigint",
    end_us="(EXTRACT(EPOCH FROM blocked_end) * 1000000)::bigint",
    block_start_us="(EXTRACT(EPOCH FROM starts_at) * 1000000)::bigint",
    block_end_us="(EXTRACT(EPOCH FROM ends_at) * 1000000)::bigint",
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _busy_rows_postgresql(provider_ids, start, end, now, exclude_booking):
    params = {"ids": list(provider_ids), "start": start, "end": end, "now": now,
              "statuses": list(Booking.BLOCKING_STATUSES),
              "exclude": exclude_booking.pk if exclude_booking is not None else -1}
    with connection.cursor() as cursor:
        cursor.execute(_BUSY_SQL, params)
        rows = cursor.fetchall()
    return [(pid, _EPOCH + timedelta(microseconds=a), _EPOCH + timedelta(microseconds=b)) for pid, a, b in rows]


def available_slots(service: Service, start: datetime, end: datetime, provider_ids=None, now=None,
                    exclude_booking=None, seats=1) -> list[Slot]:
    """Free starts of ``service`` in ``[start, end)``: the one call the API, the block and the booking code use.

    For a class, the starts where ``seats`` seats can be booked, each with its seats left (``offered_starts``). With
    a pool, a start that needs a new booking or a new session is kept only where a member is free (3 queries more).
    """
    now = now or timezone.now()
    schedules = load_schedules(service, start, end, provider_ids, now, exclude_booking)
    slots = restrict_to_pool(service, compute_slots(schedules, service.rules, start, end, now), start, end, now,
                             exclude_booking)
    if service.is_class:
        return offered_starts(service, slots, [s.provider_id for s in schedules], start, end, now, seats)
    return slots


def offered_starts(service, open_slots, provider_ids, start, end, now, seats=1) -> list[Slot]:
    """A class's starts: its sessions with ``seats`` left, and the free starts a first booking opens (``open_slots``,
    already kept to those with a free room when the class needs one). 1 query."""
    sessions = load_sessions(service, provider_ids, start, end, now)
    return class_slots(open_slots, sessions, service.rules, start, end, now, service.capacity, seats)


def load_sessions(service, provider_ids, start, end, now) -> list[SessionSeats]:
    """The service's scheduled sessions starting in ``[start, end)`` with these providers, in provider id order.

    Seats held by holds that have expired are counted as free: the hold stops blocking the moment it expires,
    although the trigger gives its seats back only when the hold is marked expired (before the next write).
    """
    expired = Sum("bookings__seats", filter=Q(bookings__status=Booking.Status.HELD,
                                              bookings__hold_expires_at__lte=now), default=0)
    rows = (ClassSession.objects.filter(service=service, provider_id__in=provider_ids, start__gte=start,
                                        start__lt=end, status=ClassSession.Status.SCHEDULED)
            .annotate(left=F("capacity") - F("seats_taken") + Coalesce(expired, Value(0)))
            .order_by("provider_id", "start")
            .values_list("provider_id", "start", "end", "capacity", "left", "resource_id"))
    return [SessionSeats(*row) for row in rows]
