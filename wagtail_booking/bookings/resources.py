"""Rooms and equipment at booking time: their schedules as the scheduling core's types, their locks, their choice.

A service with a ``resource_pool`` needs one free member of it for every booking (``scheduling.resources``); for a
class, for every session, which holds it once for all its seats (``ClassSession.resource``, chosen in ``sessions``
when the session opens). Each member's busy time is whatever holds it: bookings naming it as their resource (or as
their provider), scheduled class sessions in it, its time off and busy blocks. Loading the pool takes 3 queries
whatever the range and the row count, as ``availability.load_schedules`` does for providers.

Lock order (``writes``): provider rows, then the pool's resource rows in id order, then a class's session row, then
the booking row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from ..scheduling import ProviderSchedule
from ..scheduling.resources import ResourceIndex, with_resources
from ..snippets.models import BusyBlock, Provider, TimeOff
from .models import Booking, ClassSession
from .schedules import MARGIN, schedules_of


def needs_resource(service) -> bool:
    """Whether ``service`` needs a pool member: each of its bookings, or for a class each of its sessions."""
    return bool(service.resource_pool_id)


def booking_holds_resource(service) -> bool:
    """Whether a booking of ``service`` holds the member itself; a seat in a class has its session's."""
    return needs_resource(service) and not service.is_class


def pool_members(service):
    return Provider.objects.filter(pools=service.resource_pool_id, kind=Provider.Kind.RESOURCE, active=True)


def load_resource_schedules(service, start: datetime, end: datetime, now: datetime,
                            exclude_booking=None) -> list[ProviderSchedule]:
    """Schedules of the active members of the service's pool, ordered by id. 3 queries."""
    return schedules_of(pool_members(service).order_by("pk"), start, end,
                        lambda ids: resource_busy_rows(ids, start - MARGIN, end + MARGIN, now, exclude_booking))


def resource_busy_rows(ids, start, end, now, exclude_booking=None):
    """(resource id, start, end) of everything holding the resources ``ids`` in ``[start, end)``: one query."""
    if connection.vendor == "postgresql":
        return _busy_rows_postgresql(ids, start, end, now, exclude_booking)
    return _busy_rows_orm(ids, start, end, now, exclude_booking)


def _busy_rows_orm(ids, start, end, now, exclude_booking):
    bookings = Booking.objects.blocking(now).filter(session__isnull=True, blocked_start__lt=end,
                                                    blocked_end__gt=start)
    if exclude_booking is not None:
        bookings = bookings.exclude(pk=exclude_booking.pk)
    sessions = ClassSession.objects.filter(status=ClassSession.Status.SCHEDULED, blocked_start__lt=end,
                                           blocked_end__gt=start)
    span = ("blocked_start", "blocked_end")
    parts = [bookings.filter(resource_id__in=ids).order_by().values_list("resource_id", *span),
             bookings.filter(provider_id__in=ids).order_by().values_list("provider_id", *span),
             sessions.filter(resource_id__in=ids).order_by().values_list("resource_id", *span),
             sessions.filter(provider_id__in=ids).order_by().values_list("provider_id", *span)]
    for model in (BusyBlock, TimeOff):
        parts.append(model.objects.filter(provider_id__in=ids, starts_at__lt=end, ends_at__gt=start)
                     .order_by().values_list("provider_id", "starts_at", "ends_at"))
    return parts[0].union(*parts[1:], all=True)


# The same rows as _busy_rows_orm as microseconds since the epoch (see availability._BUSY_SQL for why).
_LIVE_BOOKING = """
   AND session_id IS NULL AND status = ANY(%(statuses)s)
   AND NOT (status = 'held' AND hold_expires_at IS NOT NULL AND hold_expires_at <= %(now)s)
   AND id <> %(exclude)s"""
_SPAN = "(EXTRACT(EPOCH FROM {0}) * 1000000)::bigint, (EXTRACT(EPOCH FROM {1}) * 1000000)::bigint"
_BUSY_SQL = "\nUNION ALL\n".join(
    [f"SELECT {holder}, {_SPAN.format('blocked_start', 'blocked_end')} FROM wagtail_booking_booking "
     f"WHERE {holder} = ANY(%(ids)s) AND blocked_start < %(end)s AND blocked_end > %(start)s {_LIVE_BOOKING}"
     for holder in ("resource_id", "provider_id")]
    + [f"SELECT {holder}, {_SPAN.format('blocked_start', 'blocked_end')} FROM wagtail_booking_classsession "
       f"WHERE {holder} = ANY(%(ids)s) AND blocked_start < %(end)s AND blocked_end > %(start)s "
       f"AND status = 'scheduled'" for holder in ("resource_id", "provider_id")]
    + [f"SELECT provider_id, {_SPAN.format('starts_at', 'ends_at')} FROM {table} "
       f"WHERE provider_id = ANY(%(ids)s) AND starts_at < %(end)s AND ends_at > %(start)s"
       for table in ("wagtail_booking_busyblock", "wagtail_booking_timeoff")])
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _busy_rows_postgresql(ids, start, end, now, exclude_booking):
    params = {"ids": list(ids), "start": start, "end": end, "now": now,
              "statuses": list(Booking.BLOCKING_STATUSES),
              "exclude": exclude_booking.pk if exclude_booking is not None and exclude_booking.pk else -1}
    with connection.cursor() as cursor:
        cursor.execute(_BUSY_SQL, params)
        rows = cursor.fetchall()
    return [(pk, _EPOCH + timedelta(microseconds=a), _EPOCH + timedelta(microseconds=b)) for pk, a, b in rows]


def restrict_to_pool(service, slots, start, end, now, exclude_booking=None):
    """``slots`` of ``service`` kept only where a pool member is free, each naming the member it would take.

    A booking being moved (``exclude_booking``) keeps its own resource while that is free.
    """
    if not needs_resource(service):
        return slots
    index = ResourceIndex(load_resource_schedules(service, start, end, now, exclude_booking), service.rules,
                          start, end)
    return with_resources(slots, index, getattr(exclude_booking, "resource_id", None))


# Writes ----------------------------------------------------------------------------------------------------------


def lock_pool(service, now, also=None) -> list[int]:
    """Lock the pool's resource rows (and ``also``, a booking's current resource), in id order, after the providers;
    then release their expired holds, so what follows sees them free."""
    if not needs_resource(service) and also is None:
        return []
    ids = Q(pk=also) if also else Q(pk__in=[])
    if needs_resource(service):
        ids |= Q(pk__in=pool_members(service).values("pk"))
    locked = list(Provider.objects.filter(ids).select_for_update().order_by("pk").values_list("pk", flat=True))
    expired = Booking.objects.expired_holds(now).filter(Q(resource_id__in=locked) | Q(provider_id__in=locked))
    expired.update(status=Booking.Status.EXPIRED)
    return locked


def take_free_resource(booking, now, within_hours=True):
    """Set ``booking.resource_id`` to a pool member free for its span: its own while free, else the lowest free id.

    Staff bookings pass ``within_hours=False`` (they may lie outside opening hours, never over busy time). Raises
    ``LookupError`` when no member is free. The caller holds the pool's locks (:func:`lock_pool`). A seat in a class
    takes none: its session holds the room.
    """
    if not booking_holds_resource(booking.service):
        booking.resource_id = None
        return
    booking.resource_id = free_member(booking.service, booking.start, now, booking.resource_id,
                                      exclude_booking=booking if booking.pk else None, within_hours=within_hours)


def free_member(service, start, now, preferred=None, exclude_booking=None, within_hours=True) -> int:
    """The pool member a booking or a class session starting at ``start`` takes: ``preferred`` while free, else the
    lowest free id. ``LookupError`` when none is free. 3 queries; the caller holds the pool's locks."""
    blocked = service.rules.blocked(start)
    schedules = load_resource_schedules(service, blocked.start, blocked.end, now, exclude_booking)
    chosen = ResourceIndex(schedules, service.rules, blocked.start, blocked.end).free_resource(
        start, preferred, within_hours)
    if chosen is None:
        raise LookupError(_("No resource of “%(pool)s” is free at that time.") % {"pool": service.resource_pool})
    return chosen
