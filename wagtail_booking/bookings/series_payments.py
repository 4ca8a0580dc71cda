"""A client's series of a service with a deposit: each appointment's deposit is paid before that appointment.

The series is booked as holds (``series.book``). The client pays the first appointment's deposit at once, through
the checkout, as for a single booking; a checkout abandoned lets every hold of the series lapse together. Once a
deposit of the series is paid, :func:`reserve_later` (called by ``complete_hold``) keeps each later appointment
held, its time protected by the same guarantees as any hold, until its deposit is due (``SERIES_DEPOSIT_DUE_HOURS``
before it). Its payment link is emailed ``SERIES_DEPOSIT_LINK_DAYS`` before it (:func:`links_due`; the manage page
shows it all along). Unpaid at the deadline, the hold lapses like any other (the time is free again, the waitlist
is offered it) and :func:`release_lapsed` marks it so that the client is told once.

``Booking.deposit_step`` says where each later appointment is: reserved, link sent, being charged (a series paid
up front, ``checkout.series_upfront``), lapsed.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..conf import booking_settings
from ..formats import when
from ..snippets.models import Provider
from . import history, resources, writes
from .models import Booking

RESERVED, LINK_SENT, CHARGING, LAPSED = "reserved", "link_sent", "charging", "lapsed"
# "charging": a series paid up front is charging this deposit to the client's card (``checkout.series_upfront``).
AWAITING = (RESERVED, LINK_SENT, CHARGING)


def deposit_deadline(start: datetime, now: datetime) -> datetime:
    """When a later appointment's deposit is due: ``SERIES_DEPOSIT_DUE_HOURS`` before it, and never sooner than a
    checkout's hold made ``now`` would last."""
    return max(start - booking_settings.series_deposit_due, now + booking_settings.hold_duration)


def awaits_deposit(booking: Booking) -> bool:
    """A later appointment of a series, kept for the client until its deposit is paid."""
    return booking.status == Booking.Status.HELD and booking.deposit_step in AWAITING and booking.is_live


def status_words(booking: Booking, zone: str) -> str:
    """A series appointment's state in words (lists of the series, for the client and for staff)."""
    if awaits_deposit(booking):
        return _("Reserved, deposit due by %(when)s") % {"when": when(booking.hold_expires_at, zone)}
    if booking.deposit_step == LAPSED:
        return _("Released: its deposit was not paid in time")
    return booking.get_status_display()


def reserve_later(booking: Booking, now: datetime) -> list[Booking]:
    """After ``booking``'s deposit is paid: keep the later unpaid appointments of its series until their deposits
    are due. A hold that ran out while the client paid is revived when its time (and a room) is still free.

    The caller holds the provider's row (``complete_hold``; a series has one provider), so no hold here can lapse
    or be taken meanwhile. Returns the appointments kept.
    """
    if booking.series_id is None or booking.deposit_due <= 0:
        return []
    later = list(Booking.objects.select_for_update().select_related("service")
                 .filter(series_id=booking.series_id, start__gt=booking.start, deposit_step="",
                         status__in=(Booking.Status.HELD, Booking.Status.EXPIRED)).order_by("start", "pk"))
    kept = []
    for row in later:
        if not row.is_live and not _revive(row, now):
            continue
        row.status, row.deposit_step = Booking.Status.HELD, RESERVED
        row.hold_expires_at = deposit_deadline(row.start, now)
        row.save(update_fields=["status", "deposit_step", "hold_expires_at", "resource", "updated_at"])
        history.record(row, "reserved", history.BY_CLIENT, until=row.hold_expires_at)
        kept.append(row)
    return kept


def _revive(row, now) -> bool:
    writes.release_expired_holds([row.provider_id], now, keep=row)
    if not writes.span_is_free(row, now):
        return False
    if resources.booking_holds_resource(row.service):
        try:
            resources.take_free_resource(row, now)
        except LookupError:
            return False
    return True


def links_due(now: datetime):
    """Held later appointments whose payment link should go out now (not yet sent)."""
    return Booking.objects.filter(status=Booking.Status.HELD, deposit_step=RESERVED, hold_expires_at__gt=now,
                                  start__lte=now + booking_settings.series_deposit_link)


def mark_link_sent(booking_id: int) -> bool:
    """Claim the sending of one payment link: True exactly once per appointment, however many sweeps race."""
    return bool(Booking.objects.filter(pk=booking_id, deposit_step=RESERVED, status=Booking.Status.HELD)
                .update(deposit_step=LINK_SENT))


def release_lapsed(now: datetime) -> list[int]:
    """Release the later appointments whose deposit was not paid in time, under their providers' locks, and mark
    them lapsed; returns their ids (each once ever), for the client to be told."""
    lapsed = Booking.objects.filter(deposit_step__in=AWAITING).filter(
        Q(status=Booking.Status.HELD, hold_expires_at__lte=now) | Q(status=Booking.Status.EXPIRED))
    provider_ids = sorted(set(lapsed.values_list("provider_id", flat=True)))
    if not provider_ids:
        return []
    with transaction.atomic():
        list(Provider.objects.select_for_update().filter(pk__in=provider_ids).order_by("pk").values_list("pk"))
        writes.release_expired_holds(provider_ids, now)
        rows = list(Booking.objects.select_for_update().filter(
            deposit_step__in=AWAITING, status=Booking.Status.EXPIRED).order_by("pk"))
        for row in rows:
            history.record(row, "deposit_lapsed", history.BY_SYSTEM)
        Booking.objects.filter(pk__in=[row.pk for row in rows]).update(deposit_step=LAPSED)
    return [row.pk for row in rows]
