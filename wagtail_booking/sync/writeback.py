"""Bookings out: keep one event per confirmed booking on the provider's chosen calendar (the one calendar, across
all their connections, that ``receives_bookings``).

:func:`write_back` makes the chosen calendar match the booking's current state, whichever signal queued it, so a
retried or out-of-order task does no harm: backends derive the event id from the booking reference, and deleting
an event already gone counts as done. When the owner chooses another calendar, the next write-back of an upcoming
booking (or the next full sync, see :func:`catch_up`) deletes its event from the old calendar and writes it to the
new one; bookings in the past stay where they were written.
"""

from __future__ import annotations

import logging

from django.db.models import F, Q
from django.utils import timezone

from ..bookings.meetings import record_meeting_link, wants_calendar_meeting
from ..bookings.models import Booking
from .backends.base import CalendarError, EventDraft, ReconnectNeeded, Unavailable
from .engine import open_backend
from .models import BookingEvent, CalendarConnection, ConnectedCalendar

logger = logging.getLogger(__name__)

# Statuses whose event stays as it is (the appointment happened, or did not, at the booked time).
SETTLED = {Booking.Status.COMPLETED, Booking.Status.NO_SHOW}


def booking_calendar(provider_id: int) -> ConnectedCalendar | None:
    """The provider's calendar that receives bookings, when its account is connected."""
    return (ConnectedCalendar.objects.select_related("connection__provider")
            .filter(provider_id=provider_id, receives_bookings=True,
                    connection__status=CalendarConnection.Status.CONNECTED).first())


def draft_for(booking: Booking) -> EventDraft:
    return EventDraft(
        reference=booking.reference, summary=f"{booking.service.name}: {booking.client_name}",
        description=f"Booking {booking.reference}\n{booking.client_email}\n{booking.client_phone}".strip(),
        start=booking.start, end=booking.end, time_zone=booking.provider.timezone,
        online_meeting=wants_calendar_meeting(booking))


def write_back(booking_id: int) -> str:
    """Create, move or delete the booking's event. Returns what was done (for logs and tests).

    Raises :class:`Unavailable` so the Huey task retries; a revoked grant marks the connection instead.
    """
    booking = Booking.objects.select_related("service", "provider").filter(pk=booking_id).first()
    if booking is None or booking.status in SETTLED:
        return "nothing"
    record = BookingEvent.objects.select_related("connected_calendar__connection__provider").filter(
        booking=booking).first()
    target = booking_calendar(booking.provider_id) if booking.status == Booking.Status.CONFIRMED else None
    try:
        done = "nothing"
        if record and not record.deleted and (target is None or record.connected_calendar_id != target.pk):
            done = _delete(record)
        if target is not None:
            with open_backend(target.connection) as backend:
                done = put(backend, target, booking, record)
        return done
    except ReconnectNeeded:
        return "reconnect needed"
    except Unavailable:
        raise
    except CalendarError as error:
        logger.warning("Booking %s not written to calendar of provider %s: %s", booking.reference,
                       booking.provider_id, error)
        return "failed"


def _delete(record: BookingEvent) -> str:
    """Delete the event from the calendar it was written to (when that account is still connected)."""
    calendar = record.connected_calendar
    if calendar is not None and not calendar.connection.is_connected:
        return "reconnect needed"  # the full sync after reconnecting deletes it (catch_up)
    if calendar is not None:  # else the account was disconnected: what it holds is no longer ours to change
        with open_backend(calendar.connection) as backend:
            backend.delete_event(calendar.remote_id, record.event_id)
    record.deleted = True
    record.save(update_fields=["deleted", "updated_at"])
    return "deleted"


def put(backend, calendar: ConnectedCalendar, booking: Booking, record: BookingEvent | None) -> str:
    """Write the booking to ``calendar`` with an open ``backend``, unless it is there as it is."""
    same_calendar = record is not None and record.connected_calendar_id == calendar.pk
    if same_calendar and not record.deleted and (record.written_start, record.written_end) == (
            booking.start, booking.end):
        return "unchanged"
    written = backend.write_event(calendar.remote_id, draft_for(booking), record.event_id if same_calendar else "")
    BookingEvent.objects.update_or_create(booking=booking, defaults={
        "connection": calendar.connection, "connected_calendar": calendar, "calendar_id": calendar.remote_id,
        "event_id": written.event_id, "meeting_url": written.meeting_url, "written_start": booking.start,
        "written_end": booking.end, "deleted": False})
    if written.meeting_url:  # the client is sent a link that is new to them (once)
        record_meeting_link(booking.pk, written.meeting_url)
    logger.info("Booking %s written to calendar %s of provider %s", booking.reference, calendar.pk,
                booking.provider_id)
    return "written"


def out_of_date(calendar: ConnectedCalendar, now=None):
    """Upcoming bookings whose event on ``calendar`` is missing, stale or should be gone: made before the provider
    connected, while the connection needed reconnecting, or before the owner chose this calendar."""
    upcoming = Booking.objects.filter(provider_id=calendar.provider_id, end__gte=now or timezone.now())
    stale = upcoming.filter(status=Booking.Status.CONFIRMED).exclude(
        calendar_event__deleted=False, calendar_event__connected_calendar=calendar,
        calendar_event__written_start=F("start"), calendar_event__written_end=F("end"))
    gone = upcoming.filter(Q(status__in=[Booking.Status.CANCELLED, Booking.Status.DECLINED]),
                           calendar_event__deleted=False, calendar_event__connected_calendar=calendar)
    return (stale | gone).select_related("service", "provider").order_by("start")


def catch_up(backend, connection: CalendarConnection) -> int:
    """In a full sync of the connection holding the booking calendar: write what it missed. Returns the count."""
    calendar = connection.calendars.filter(receives_bookings=True).first()
    if calendar is None:
        return 0
    count = 0
    for booking in out_of_date(calendar):
        record = BookingEvent.objects.filter(booking=booking).select_related(
            "connected_calendar__connection").first()
        if booking.status != Booking.Status.CONFIRMED:
            backend.delete_event(calendar.remote_id, record.event_id)
            BookingEvent.objects.filter(pk=record.pk).update(deleted=True)
        else:
            if record and not record.deleted and record.connected_calendar_id not in (None, calendar.pk):
                _delete(record)  # moved to this calendar from the one chosen before
            put(backend, calendar, booking, record)
        count += 1
    return count
