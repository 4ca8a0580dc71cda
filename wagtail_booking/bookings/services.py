"""Everything that changes a booking goes through here: holds, confirmation, cancellation, rescheduling.

The client's hold (create, complete, expire) is in ``holds``; the steps both share (locks, the slot check, the
errors) are in ``writes``. This module keeps the later lifecycle and re-exports the rest, so callers use
``services.X`` for all of it.

Each write locks the provider rows it touches and re-checks the slot inside one transaction; on PostgreSQL an
exclusion constraint (migration 0002) backs this up for any code path that bypasses it.

Every change of a booking's status locks the booking's own row here, re-reads it, and only then decides, so
callers never lock for it and a decision is never taken on a stale status (STYLE rule 17).

Lock order, everywhere: the payment row (``checkout.facade``), then provider rows (in id order), then the booking
row. Functions that lock only a booking row take no other lock while holding it, so no cycle can form.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import signals
from ..site_settings import business_currency
from ..snippets.models import Provider, Service
from . import history, resources, series_payments, sessions, writes
from .holds import PAYMENT_UNAVAILABLE, complete_hold, create_hold, delete_expired_holds, payment_available
from .models import Booking
from .tokens import issue_token
from .writes import ALTERNATIVES_WINDOW, BookingError, ClientDetails, NotAllowed, SlotUnavailable

# Callers (views, the API, the checkout, tests) use ``services.X`` for the whole lifecycle, holds included.
__all__ = ["ALTERNATIVES_WINDOW", "PAYMENT_UNAVAILABLE", "BookingError", "ClientDetails", "NotAllowed",
           "SlotUnavailable", "approve", "cancel", "complete_hold", "create_by_staff", "create_hold", "decline",
           "delete_expired_holds", "mark_outcome", "payment_available", "reschedule"]


def approve(booking: Booking, now=None) -> Booking:
    with transaction.atomic():
        writes.lock_existing(booking)
        _require_status(booking, Booking.Status.REQUESTED, "approved")
        return writes.confirm(booking, now or timezone.now(), approved=True)


def decline(booking: Booking, now=None) -> Booking:
    with transaction.atomic():
        writes.lock_existing(booking)
        _require_status(booking, Booking.Status.REQUESTED, "declined")
        booking.status = Booking.Status.DECLINED
        booking.cancelled_at = now or timezone.now()
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
        history.record(booking, "declined", history.BY_STAFF)
        writes.announce(signals.booking_cancelled, booking, by="staff", declined=True)
    return booking


def mark_outcome(booking: Booking, status: str, now: datetime | None = None) -> Booking:
    """Record how a confirmed appointment went: ``completed`` or ``no_show``, once it has started."""
    if status not in (Booking.Status.COMPLETED, Booking.Status.NO_SHOW):
        raise BookingError(f"{status!r} is not an appointment outcome.", field="status")
    now = now or timezone.now()
    with transaction.atomic():
        writes.lock_existing(booking)
        _require_status(booking, Booking.Status.CONFIRMED, "marked")
        if booking.start > now:
            raise NotAllowed("An appointment's outcome can only be recorded once it has started.")
        booking.status = status
        booking.save(update_fields=["status", "updated_at"])
        history.record(booking, status, history.BY_STAFF)
        writes.announce(signals.booking_outcome, booking, status=status)
    return booking


def cancel(booking: Booking, by: str = "client", now=None) -> Booking:
    """Cancel a live booking. Clients must be before the service's cut-off; staff may cancel at any time.

    A hold that was never completed is released at once without a notification; a payment that completes later
    is refused by :func:`complete_hold` (and refunded by the payment integration). The status is read under the
    booking's row lock, so a hold whose payment has just completed is cancelled as the live booking it now is.
    """
    now = now or timezone.now()
    with transaction.atomic():
        writes.lock_existing(booking)
        if booking.status == Booking.Status.HELD:
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_at = now
            booking.hold_expires_at = None
            booking.save(update_fields=["status", "cancelled_at", "hold_expires_at", "updated_at"])
            history.record(booking, "cancelled", by)
            return booking
        if booking.status not in (Booking.Status.REQUESTED, Booking.Status.CONFIRMED):
            raise NotAllowed(_("This booking is %(status)s and cannot be cancelled.")
                             % {"status": booking.get_status_display().lower()})
        if by == "client":
            _check_cutoff(booking, now, "cancelled")
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
        history.record(booking, "cancelled", by)
        writes.announce(signals.booking_cancelled, booking, by=by)
    return booking


def reschedule(booking: Booking, new_start: datetime, by: str = "client", now=None) -> Booking:
    """Move a live booking to another free start with the same provider."""
    now = now or timezone.now()
    with transaction.atomic():
        # Provider first, then the booking (the module's lock order); a booking never changes provider.
        locked = writes.lock_providers(booking.service, [booking.provider_id], any_state=True)
        resources.lock_pool(booking.service, now, also=booking.resource_id)
        writes.lock_existing(booking)
        waiting = series_payments.awaits_deposit(booking)
        if booking.status not in (Booking.Status.REQUESTED, Booking.Status.CONFIRMED) and not waiting:
            raise NotAllowed(_("This booking is %(status)s and cannot be rescheduled.")
                             % {"status": booking.get_status_display().lower()})
        if by == "client":
            _check_cutoff(booking, now, "rescheduled")
        previous_start = booking.start
        if booking.session_id:
            sessions.move_seats(booking, new_start, now)
            history.record(booking, "rescheduled", by, previous_start=previous_start, start=booking.start)
            writes.announce(signals.booking_rescheduled, booking, previous_start=previous_start)
            return booking
        slot = writes.free_slot(booking.service, new_start, locked, now, exclude_booking=booking)
        booking.start, booking.end = slot.start, slot.end
        if resources.booking_holds_resource(booking.service):
            booking.resource_id = slot.resource_id  # its own while free (available_slots prefers it)
        writes.set_span(booking)
        if waiting:  # a series' appointment not paid yet: its deposit falls due before its new time
            booking.hold_expires_at = series_payments.deposit_deadline(booking.start, now)
        writes.insert(booking, booking.service, new_start, locked, now)
        history.record(booking, "rescheduled", by, previous_start=previous_start, start=booking.start)
        if not waiting:  # nothing is booked yet to tell calendars, staff or webhooks about
            writes.announce(signals.booking_rescheduled, booking, previous_start=previous_start)
    return booking


def create_by_staff(service: Service, provider: Provider, start: datetime, client: ClientDetails,
                    status: str = Booking.Status.CONFIRMED, now=None) -> Booking:
    """A booking entered in the admin: may lie outside working hours, never over other busy time."""
    now = now or timezone.now()
    with transaction.atomic():
        writes.lock_providers(service, [provider.pk], any_state=True)
        resources.lock_pool(service, now)
        writes.release_expired_holds([provider.pk], now)
        booking = Booking(site_id=service.site_id, service=service, provider=provider, start=start,
                          end=start + timedelta(minutes=service.duration_minutes), status=Booking.Status.HELD,
                          client_name=client.name, client_email=client.email, client_phone=client.phone,
                          client_timezone=client.timezone, sms_consent=client.sms_consent and bool(client.phone),
                          # the staff's admin language says nothing of the client's: the site's unless given
                          language=writes.language_for(client, settings.LANGUAGE_CODE), price=service.price,
                          deposit_due=0, currency=business_currency(service.site))
        writes.set_span(booking)
        issue_token(booking)
        if service.is_class:  # a seat in the provider's class at that start, opened now if there is none
            booking.session = sessions.session_for_staff(service, provider, start, now)
        elif not writes.span_is_free(booking, now):
            raise SlotUnavailable(f"{provider} is busy at that time (another booking, a busy block or time off).")
        try:
            resources.take_free_resource(booking, now, within_hours=False)
        except LookupError as error:
            raise SlotUnavailable(str(error)) from error
        writes.insert(booking, service, start, [provider.pk], now)
        history.record(booking, "created", history.BY_STAFF)
        if status == Booking.Status.CONFIRMED:
            writes.confirm(booking, now, by=history.BY_STAFF)
        else:
            booking.status = status
            booking.save(update_fields=["status"])
    return booking


# Internals -------------------------------------------------------------------------------------------------------


def _require_status(booking, status, verb):
    if booking.status != status:
        raise NotAllowed(f"Only bookings that are {Booking.Status(status).label.lower()} can be {verb}; "
                         f"this one is {booking.get_status_display().lower()}.")


def _check_cutoff(booking, now, verb):
    if now > booking.start - booking.service.cancellation_cutoff:
        hours = booking.service.cancellation_cutoff_hours
        sentence = (_("Bookings can be cancelled online until %(hours)s hours before the start; please contact us "
                      "directly.") if verb == "cancelled" else
                    _("Bookings can be rescheduled online until %(hours)s hours before the start; please contact "
                      "us directly."))
        raise NotAllowed(sentence % {"hours": hours})
