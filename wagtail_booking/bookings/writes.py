"""The steps every booking write shares: the errors it raises, the locks in their one order, the slot check.

Lock order, everywhere: the payment row (``checkout.facade``), then provider rows (in id order), then resource rows
(in id order, ``resources.lock_pool``), then a class session's row (``sessions``), then the booking row. ``holds``
(a client's hold until it is paid) and ``services`` (the later lifecycle) build on these steps, so both keep that
order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import signals
from ..formats import language_code
from ..scheduling import Interval, nearest_slots
from ..scheduling.slots import BusyIndex
from ..scheduling.types import Slot
from ..snippets.models import Provider
from . import history
from .availability import available_slots, load_schedules
from .models import Booking, ClassSession

ALTERNATIVES_WINDOW = timedelta(days=3)


class BookingError(Exception):
    """A booking request that cannot be carried out; ``message`` is written for the client."""

    status_code = 400

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class SlotUnavailable(BookingError):
    status_code = 409

    def __init__(self, message, alternatives=()):
        super().__init__(message, field="start")
        self.alternatives = list(alternatives)


class NotAllowed(BookingError):
    status_code = 409


@dataclass(frozen=True)
class ClientDetails:
    name: str
    email: str
    timezone: str
    phone: str = ""
    intake_answers: list = field(default_factory=list)
    sms_consent: bool = False
    language: str = ""  # the language the client books in; "" for the active one (formats.language_code)


def language_for(client: ClientDetails, default: str = "") -> str:
    try:
        return language_code(client.language or default)
    except LookupError:  # callers check a requested language; this is the active one, outside LANGUAGES
        return settings.LANGUAGE_CODE


def lock(booking):
    """Lock the booking's row and reload ``booking`` from it: whatever the caller read before may be stale."""
    booking.refresh_from_db(from_queryset=Booking.objects.select_for_update())


def lock_existing(booking):
    try:
        lock(booking)
    except Booking.DoesNotExist as error:
        raise NotAllowed(_("This booking no longer exists (an unpaid hold is removed after it expires).")) from error


def lock_providers(service, provider_ids, any_state=False) -> list[int]:
    """Lock the candidate providers' rows (in id order, so concurrent writers cannot deadlock)."""
    providers = Provider.objects.filter(services=service)
    if not any_state:
        providers = providers.filter(active=True)
    if provider_ids is not None:
        providers = providers.filter(pk__in=provider_ids)
    locked = list(providers.select_for_update().order_by("pk").values_list("pk", flat=True))
    if not locked:
        raise BookingError(_("No one offers this service at the moment."), field="provider")
    return locked


def free_slot(service, start, provider_ids, now, exclude_booking=None) -> Slot:
    release_expired_holds(provider_ids, now)
    window_start, window_end = start - ALTERNATIVES_WINDOW, start + ALTERNATIVES_WINDOW
    slots = available_slots(service, window_start, window_end, provider_ids, now, exclude_booking)
    for slot in slots:
        if slot.start == start:
            return slot
    raise SlotUnavailable(_("Sorry, that time is no longer available."), nearest_slots(slots, start))


def span_is_free(booking, now) -> bool:
    schedules = load_schedules(booking.service, booking.blocked_start, booking.blocked_end,
                               [booking.provider_id], now, exclude_booking=booking if booking.pk else None,
                               active_only=False)
    busy = BusyIndex(schedules[0].busy if schedules else ())
    return not busy.overlaps(Interval(booking.blocked_start, booking.blocked_end))


def release_expired_holds(provider_ids, now, keep=None):
    expired = Booking.objects.expired_holds(now).filter(provider_id__in=provider_ids)
    if keep is not None:
        expired = expired.exclude(pk=keep.pk)
    expired.update(status=Booking.Status.EXPIRED)  # the seat trigger gives a class's seats back
    close_emptied_sessions(provider_ids, now)


def close_emptied_sessions(provider_ids, now):
    """Close the sessions a client's booking opened whose every seat has been given back (cancelled, expired):
    they stop keeping the provider busy. The caller holds the providers' rows; the sessions' rows are locked here.
    Sessions staff scheduled stay, empty or not."""
    emptied = list(ClassSession.objects.select_for_update().filter(
        provider_id__in=provider_ids, status=ClassSession.Status.SCHEDULED, on_demand=True, seats_taken=0,
    ).values_list("pk", flat=True))
    if emptied:
        ClassSession.objects.filter(pk__in=emptied).update(status=ClassSession.Status.CANCELLED, cancelled_at=now,
                                                           cancelled_reason="No seats booked")


def insert(booking, service, start, provider_ids, now):
    """Save; if the database's no-overlap constraint fires anyway, answer as for any lost race."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:
        if "_no_overlap" not in str(error) and "seats_within_capacity" not in str(error):
            raise
        slots = available_slots(service, start - ALTERNATIVES_WINDOW, start + ALTERNATIVES_WINDOW, provider_ids, now)
        raise SlotUnavailable(_("Sorry, that time was just taken."), nearest_slots(slots, start)) from error


def set_span(booking):
    booking.blocked_start = booking.start - timedelta(minutes=booking.service.buffer_before_minutes)
    booking.blocked_end = booking.end + timedelta(minutes=booking.service.buffer_after_minutes)


def confirm(booking, now, approved=False, by=history.BY_STAFF):
    booking.status = Booking.Status.CONFIRMED
    booking.confirmed_at = now
    booking.hold_expires_at = None
    booking.save(update_fields=["status", "confirmed_at", "hold_expires_at", "updated_at"])
    history.record(booking, "approved" if approved else "confirmed", by)
    announce(signals.booking_confirmed, booking, **({"approved": True} if approved else {}))
    return booking


def announce(signal, booking, **kwargs):
    """Tell the integrations inside this transaction: what they queue (outbox) commits with the change itself."""
    with transaction.atomic():
        signals.send_isolated(signal, sender=Booking, booking=booking, **kwargs)
