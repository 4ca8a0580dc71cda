"""Minimum attendance: a class with too few seats booked at its cut-off is cancelled and its clients refunded.

Run by a periodic Huey task (``bookings.tasks``). Each session is decided on its own, under the lock order of
``writes`` (provider row, session row, then each booking's row), and only while it is still scheduled, so a retry
or two workers running the sweep at once cancel nothing twice. Each live booking is cancelled as staff cancel
one: the checkout refunds a business's cancellation in full and the client is told, in their language, that the
class did not run because too few places were booked (``ClassSession.cancelled_for_attendance``).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..snippets.models import Provider
from . import history, services, writes
from .models import Booking, ClassSession
from .sessions import lock_session

LONGEST_CUTOFF = timedelta(hours=24 * 30)  # the most Service.min_attendance_cutoff_hours allows


def cancel_short_sessions(now=None) -> int:
    """Cancel every scheduled session past its service's cut-off with fewer seats than its minimum. Returns how
    many were cancelled."""
    now = now or timezone.now()
    due = (ClassSession.objects.filter(status=ClassSession.Status.SCHEDULED, service__min_attendance__gt=0,
                                       start__gt=now, start__lte=now + LONGEST_CUTOFF)
           .select_related("service").order_by("start"))
    return sum(cancel_if_short(session.pk, now) for session in due if now >= _cutoff(session))


def cancel_if_short(session_id, now) -> bool:
    """Cancel the session and its bookings if, under its locks, it is scheduled, past the cut-off and short."""
    with transaction.atomic():
        provider_id = ClassSession.objects.filter(pk=session_id).values_list("provider_id", flat=True).first()
        list(Provider.objects.select_for_update().filter(pk=provider_id))
        session = lock_session(session_id)
        if session is None or session.status != ClassSession.Status.SCHEDULED or now < _cutoff(session):
            return False
        writes.release_expired_holds([session.provider_id], now)  # expired holds do not count as attending
        session.refresh_from_db()
        if session.seats_taken >= session.service.min_attendance or session.status != ClassSession.Status.SCHEDULED:
            return False
        session.status = ClassSession.Status.CANCELLED
        session.cancelled_at = now
        session.cancelled_reason = ClassSession.TOO_FEW_SEATS
        session.save(update_fields=["status", "cancelled_at", "cancelled_reason"])
        for booking in session.bookings.filter(status__in=Booking.BLOCKING_STATUSES).order_by("pk"):
            services.cancel(booking, by=history.BY_STAFF, now=now)
    return True


def _cutoff(session):
    return session.start - timedelta(hours=session.service.min_attendance_cutoff_hours)
