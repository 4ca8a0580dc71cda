"""Group classes: the seats a booking takes in one provider's session (minimum attendance is ``attendance``).

A session is made by the first booking of a start, a client's or staff's (``on_demand``: closed again once every
seat is given back); one created ahead in code has ``on_demand`` false and stays, empty or not. A class whose
service names a pool needs a room as well: a new session takes the lowest-id member free for its blocked span and
keeps it in ``ClassSession.resource`` (the seats in it hold none themselves); joining a session needs no room. Every
write follows the lock order of ``writes``: provider rows, then the pool's resource rows, then the session row,
then booking rows. The seat count itself is kept by the database (migration 0030): a trigger adds each live
booking's seats to ``ClassSession.seats_taken`` and a check constraint holds it within the capacity, so the checks
made here give the client a clear answer and the database makes overselling impossible whatever writes the rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..scheduling import compute_slots
from ..scheduling.slots import BusyIndex
from ..scheduling.types import Slot
from ..snippets.models import Provider
from . import resources, writes
from .availability import available_slots, load_schedules
from .models import Booking, ClassSession
from .writes import ALTERNATIVES_WINDOW, BookingError, NotAllowed, SlotUnavailable


def check_seats(service, seats: int) -> None:
    """A clear refusal naming ``seats`` for a number the service never allows, before anything is locked: 400 for
    no seat at all, 409 for more than this service takes (a well-formed number that conflicts with the service,
    as a currency it has no price in)."""
    if seats < 1:
        raise BookingError(_("Book at least one seat."), field="seats")
    if not service.is_class:
        if seats != 1:
            raise NotAllowed(_("%(service)s is booked one client at a time: book one seat.")
                             % {"service": service.name}, field="seats")
        return
    if seats > service.max_seats_per_booking:
        raise NotAllowed(ngettext("One booking can take at most %(n)s seat.",
                                  "One booking can take at most %(n)s seats.", service.max_seats_per_booking)
                         % {"n": service.max_seats_per_booking}, field="seats")


def claim_seats(service, start: datetime, provider_ids: list[int], seats: int, now: datetime):
    """The session at ``start`` with ``seats`` free, made now if none is scheduled: ``(slot, session)``.

    The caller holds the rows of ``provider_ids`` locked, then the pool's (``resources.lock_pool``). The session's
    row is locked here, so its seat count is current. A new session needs a provider and, for a class with a pool,
    a room free at ``start``; :class:`SlotUnavailable` (409) says how many seats are left and offers the next starts
    with enough seats (and a provider and a room for a new session).
    """
    writes.release_expired_holds(provider_ids, now)
    scheduled = list(ClassSession.objects.select_for_update().filter(
        service=service, provider_id__in=provider_ids, start=start, status=ClassSession.Status.SCHEDULED,
    ).order_by("provider_id"))
    for session in scheduled:
        if session.seats_left >= seats and _bookable(service, session.start, now):
            return _slot(session), session
    others = [pk for pk in provider_ids if pk not in {session.provider_id for session in scheduled}]
    slot = _free_start(service, start, others, now) if others else None
    if slot is not None and service.capacity >= seats:
        return slot, _open(service, slot, now)
    raise SlotUnavailable(_refusal(scheduled, seats), next_starts(service, start, provider_ids, seats, now))


def move_seats(booking, new_start: datetime, now: datetime) -> ClassSession:
    """Move a seat booking to its provider's class at ``new_start`` (opened if none is scheduled), all its seats.

    The caller holds the provider's row (a booking keeps its provider, so every move touching these sessions
    queues there) and the booking's. The seat trigger moves the seats from the old session to the new one, and
    the old session closes if the move emptied it. :class:`SlotUnavailable` when the class there is full.
    """
    if new_start == booking.start:
        raise NotAllowed(_("That is the time of this class already."), field="slot")
    slot, session = claim_seats(booking.service, new_start, [booking.provider_id], booking.seats, now)
    booking.session, booking.start, booking.end = session, slot.start, slot.end
    writes.set_span(booking)
    writes.insert(booking, booking.service, new_start, [booking.provider_id], now)
    writes.close_emptied_sessions([booking.provider_id], now)
    return session


def session_for_staff(service, provider, start, now) -> ClassSession:
    """The session a seat entered by staff goes in: the provider's scheduled one at ``start`` (locked), or a new one
    if their time, and a room of the pool when the class needs one, is free then (staff may book outside working
    hours, never over busy time). The caller holds the provider's row and the pool's."""
    session = ClassSession.objects.select_for_update().filter(
        service=service, provider=provider, start=start, status=ClassSession.Status.SCHEDULED).first()
    if session is not None:
        if session.seats_left < 1:
            raise SlotUnavailable(f"{provider}'s {service} class at that time is full.")
        return session
    blocked = service.rules.blocked(start)
    schedules = load_schedules(service, blocked.start, blocked.end, [provider.pk], now, active_only=False)
    if schedules and BusyIndex(schedules[0].busy).overlaps(blocked):
        raise SlotUnavailable(f"{provider} is busy at that time (another booking, a class, a busy block or time off).")
    resource_id = None
    if resources.needs_resource(service):  # outside the room's hours too, as outside the provider's; never over busy
        try:
            resource_id = resources.free_member(service, start, now, within_hours=False)
        except LookupError as error:
            raise SlotUnavailable(str(error)) from error
    end = start + service.rules.duration
    return _open(service, Slot(start, end, provider.pk, resource_id), now)


def release_abandoned(now) -> None:
    """For the periodic task: mark expired the seat holds that ran out and close the sessions they leave empty,
    under their providers' locks (in id order), so an abandoned hold stops keeping a provider busy within minutes
    even when nobody books that provider meanwhile."""
    provider_ids = sorted(set(ClassSession.objects.filter(
        status=ClassSession.Status.SCHEDULED, on_demand=True, end__gt=now,
        bookings__status=Booking.Status.HELD, bookings__hold_expires_at__lte=now,
    ).values_list("provider_id", flat=True)))
    if provider_ids:
        with transaction.atomic():
            list(Provider.objects.select_for_update().filter(pk__in=provider_ids).order_by("pk").values_list("pk"))
            writes.release_expired_holds(provider_ids, now)


def lock_session(session_id) -> ClassSession | None:
    """Lock a session's row (after its provider's, before its bookings'); None for a one-to-one booking."""
    if session_id is None:
        return None
    return ClassSession.objects.select_for_update().filter(pk=session_id).first()


def seats_still_free(booking, session) -> bool:
    """Whether a hold that ran out can still have its seats: the session runs and, if the hold's seats were
    given back when it was marked expired, as many are still free. The caller holds the session's row."""
    session.refresh_from_db()
    if session.status != ClassSession.Status.SCHEDULED:
        return False
    return booking.status == booking.Status.HELD or session.seats_left >= booking.seats


def next_starts(service, start, provider_ids, seats, now, count=3) -> list[Slot]:
    """The next starts after ``start`` (within a few days) where ``seats`` seats can be booked."""
    slots = available_slots(service, start, start + ALTERNATIVES_WINDOW, provider_ids, now, seats=seats)
    return [slot for slot in slots if slot.start > start][:count]


def _refusal(scheduled, seats):
    left = max((session.seats_left for session in scheduled), default=None)
    if not left:
        return _("Sorry, that class is full.") if scheduled else _("Sorry, that time is no longer available.")
    return ngettext("Sorry, only %(n)s seat is left in that class.", "Sorry, only %(n)s seats are left in that class.",
                    left) % {"n": left}


def _bookable(service, start, now):
    return now + service.rules.min_notice <= start <= now + service.rules.horizon


def _slot(session) -> Slot:
    return Slot(session.start, session.end, session.provider_id, seats_left=session.seats_left,
                capacity=session.capacity)


def _free_start(service, start, provider_ids, now) -> Slot | None:
    """The first of ``provider_ids`` free at ``start`` by the ordinary slot rules (hours, grid, notice, busy), with
    the room the session would take when the class needs one (the lowest-id member free then); None if either is
    missing."""
    end = start + timedelta(microseconds=1)
    schedules = load_schedules(service, start, end, provider_ids, now)
    open_slots = compute_slots(schedules, service.rules, start, end, now)
    slots = resources.restrict_to_pool(service, open_slots, start, end, now)
    return slots[0] if slots and slots[0].start == start else None


def _open(service, slot, now) -> ClassSession:
    blocked = service.rules.blocked(slot.start)
    session = ClassSession(site_id=service.site_id, service=service, provider_id=slot.provider_id,
                           resource_id=slot.resource_id, start=slot.start, end=slot.end, blocked_start=blocked.start,
                           blocked_end=blocked.end, capacity=service.capacity, on_demand=True)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as error:
        if "_no_overlap" not in str(error) and "session_unique_start" not in str(error):
            raise
        raise SlotUnavailable(_("Sorry, that time was just taken."),
                              next_starts(service, slot.start, [slot.provider_id], 1, now)) from error
    return session
