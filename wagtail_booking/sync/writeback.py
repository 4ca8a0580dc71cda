"""Bookings out: keep one Google event per confirmed booking on the provider's calendar.

:func:`write_back` makes Google match the booking's current state, whichever signal queued it, so a retried or
out-of-order task does no harm: the event id is derived from the booking reference (an insert repeated after a
timeout answers 409 and becomes an update), and deleting an event already gone counts as done.
"""

from __future__ import annotations

import base64
import logging
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from ..bookings.models import Booking
from .models import BookingEvent, GoogleConnection
from .sdk import gateway

logger = logging.getLogger(__name__)

# Private extended property on every event we write; the busy-time import skips events that carry it.
OWN_EVENT_KEY = "wagtailBookingReference"
# Statuses whose event stays as it is (the appointment happened, or did not, at the booked time).
SETTLED = {Booking.Status.COMPLETED, Booking.Status.NO_SHOW}


def event_id_for(reference: str) -> str:
    """Google event ids use base32hex (a-v, 0-9), 5 to 1024 characters."""
    return base64.b32hexencode(f"wagtail-booking:{reference}".encode()).decode().lower().rstrip("=")


def event_body(booking: Booking) -> dict:
    zone = booking.provider.timezone
    start, end = (moment.astimezone(ZoneInfo(zone)).isoformat() for moment in (booking.start, booking.end))
    return {
        "id": event_id_for(booking.reference),
        "summary": f"{booking.service.name}: {booking.client_name}",
        "description": f"Booking {booking.reference}\n{booking.client_email}\n{booking.client_phone}".strip(),
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
        "status": "confirmed",
        "transparency": "opaque",
        "visibility": "private",
        "extendedProperties": {"private": {OWN_EVENT_KEY: booking.reference}},
    }


def write_back(booking_id: int) -> str:
    """Create, move or delete the booking's Google event. Returns what was done (for logs and tests).

    Raises ``gateway.GoogleUnavailable`` so the Huey task retries; a revoked grant marks the connection instead.
    """
    from .oauth import google_service

    booking = Booking.objects.select_related("service", "provider").filter(pk=booking_id).first()
    if booking is None or booking.status in SETTLED:
        return "nothing"
    connection = GoogleConnection.objects.filter(provider_id=booking.provider_id).first()
    if connection is None or not connection.is_connected:
        return "nothing"
    try:
        with google_service(connection) as service:
            return reconcile(service, connection, booking)
    except gateway.ReconnectNeeded:
        return "reconnect needed"


def reconcile(service, connection: GoogleConnection, booking: Booking) -> str:
    """Make the booking's event match its state with an open ``service``."""
    record = BookingEvent.objects.filter(booking=booking).first()
    if booking.status == Booking.Status.CONFIRMED:
        return _put(service, connection, booking, record)
    if booking.status in SETTLED or record is None or record.deleted:
        return "nothing"
    gateway.delete_event(service, record.calendar_id, record.event_id)
    record.deleted = True
    record.save(update_fields=["deleted", "updated_at"])
    return "deleted"


def out_of_date(connection: GoogleConnection, now=None):
    """Upcoming bookings whose Google event is missing, stale or should be gone: made before the provider
    connected, or while the connection needed reconnecting. The full sync catches them up."""
    upcoming = Booking.objects.filter(provider_id=connection.provider_id, end__gte=now or timezone.now())
    stale = upcoming.filter(status=Booking.Status.CONFIRMED).exclude(
        google_event__deleted=False, google_event__written_start=F("start"), google_event__written_end=F("end"))
    gone = upcoming.filter(status__in=[Booking.Status.CANCELLED, Booking.Status.DECLINED],
                           google_event__deleted=False)
    return (stale | gone).select_related("service", "provider").order_by("start")


def _put(service, connection, booking, record) -> str:
    if record and not record.deleted and (record.written_start, record.written_end) == (booking.start, booking.end):
        return "unchanged"
    calendar_id = record.calendar_id if record else connection.write_calendar_id
    body = event_body(booking)
    if record is None:
        done = "inserted" if gateway.insert_event(service, calendar_id, body) else None
    else:
        done = "updated" if gateway.update_event(service, calendar_id, body["id"], body) else None
    if done is None:  # the id exists from an earlier attempt, or the owner deleted the event in Google
        done = ("updated" if gateway.update_event(service, calendar_id, body["id"], body)
                else "inserted" if gateway.insert_event(service, calendar_id, body) else "unchanged")
    BookingEvent.objects.update_or_create(booking=booking, defaults={
        "connection": connection, "calendar_id": calendar_id, "event_id": body["id"],
        "written_start": booking.start, "written_end": booking.end, "deleted": False})
    logger.info("Booking %s: event %s in Google calendar of provider %s", booking.reference, done,
                booking.provider_id)
    return done
