"""Everything that changes a booking goes through here: holds, confirmation, cancellation, rescheduling.

Each write locks the provider rows it touches and re-checks the slot inside one transaction; on PostgreSQL an
exclusion constraint (migration 0002) backs this up for any code path that bypasses it.

Every change of a booking's status locks the booking's own row here, re-reads it, and only then decides, so
callers never lock for it and a decision is never taken on a stale status (STYLE rule 17).

Lock order, everywhere: the payment row (``checkout.facade``), then provider rows (in id order), then the booking
row. Functions that lock only a booking row take no other lock while holding it, so no cycle can form.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import signals
from ..conf import booking_settings
from ..formats import language_code
from ..scheduling import Interval, nearest_slots
from ..scheduling.slots import BusyIndex
from ..scheduling.types import Slot
from ..site_settings import business_currency
from ..snippets.models import Provider, Service
from ..snippets.prices import NotPricedIn, price_in
from . import history
from .availability import available_slots, load_schedules
from .models import Booking
from .tokens import issue_token

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


PAYMENT_UNAVAILABLE = gettext_lazy("This service needs a payment when booking, and online payment is not available "
                                   "for this business. Please contact them to book.")


def payment_available(service: Service) -> bool:
    """Whether a client can book ``service`` online: it needs no payment, or its business can take one now."""
    if service.deposit_due <= 0:
        return True
    is_available = _handoff().is_available
    try:
        takes_site = "site" in inspect.signature(is_available).parameters
    except (TypeError, ValueError):
        takes_site = False
    # Hand-offs written before businesses had sites take no argument (see docs/upgrading.md).
    return is_available(site=service.site) if takes_site else is_available()


def create_hold(service: Service, start: datetime, client: ClientDetails, provider: Provider | None = None,
                now: datetime | None = None, hold_for: timedelta | None = None, currency: str | None = None) -> Booking:
    """Reserve ``start`` for the client, then confirm it, ask for approval, or leave it held for payment.

    A hold awaiting payment keeps the slot for ``hold_for`` (default: ``HOLD_MINUTES``). The booking is priced in
    ``currency`` (its business's when not given); a currency the service has no price in is a ``BookingError``.
    """
    now = now or timezone.now()
    quote = _price_in(service, currency)
    if not service.active:
        raise BookingError(_("This service is not bookable at the moment."), field="service")
    if provider is not None and not service.providers.filter(pk=provider.pk, active=True).exists():
        raise BookingError(_("%(provider)s does not offer %(service)s.") % {"provider": provider, "service": service},
                           field="provider")
    if not payment_available(service):
        raise NotAllowed(str(PAYMENT_UNAVAILABLE))
    with transaction.atomic():
        provider_ids = [provider.pk] if provider else None
        locked = _lock_providers(service, provider_ids)
        slot = _free_slot(service, start, locked, now)
        booking = Booking(site_id=service.site_id, service=service, provider_id=slot.provider_id,
                          start=slot.start, end=slot.end, status=Booking.Status.HELD,
                          hold_expires_at=now + (hold_for or booking_settings.hold_duration),
                          client_name=client.name, client_email=client.email, client_phone=client.phone,
                          client_timezone=client.timezone, sms_consent=client.sms_consent and bool(client.phone),
                          language=_language(client), price=quote.price, deposit_due=quote.deposit,
                          currency=quote.currency)
        _set_span(booking)
        _set_intake(booking, service, client)
        issue_token(booking)
        _insert(booking, service, start, locked, now)
        history.record(booking, "created", history.BY_CLIENT)
        if booking.deposit_due == 0:
            _advance_hold(booking, now)
    return booking


def complete_hold(booking: Booking, now: datetime | None = None) -> Booking:
    """The checkout's seam: call once the hold's payment has succeeded.

    Confirms (instant services) or moves to "awaiting approval" (request services). A hold that expired during
    payment is revived when its slot is still free; otherwise :class:`SlotUnavailable` is raised and the caller
    must return the money.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the provider row directly: the hold stands even if the provider stopped offering the service.
        list(Provider.objects.select_for_update().filter(pk=booking.provider_id))
        try:
            _lock(booking)
        except Booking.DoesNotExist as error:
            raise SlotUnavailable(_("The hold expired long ago and was removed; the time is no longer held.")
                                  ) from error
        if booking.status in (Booking.Status.CANCELLED, Booking.Status.DECLINED):
            raise SlotUnavailable(_("This booking was cancelled before the payment completed."))
        if booking.status not in (Booking.Status.HELD, Booking.Status.EXPIRED):
            return booking  # already completed: a retry or a second webhook
        if not booking.is_live:
            _release_expired_holds([booking.provider_id], now, keep=booking)
            if not _span_is_free(booking, now):
                booking.status = Booking.Status.EXPIRED
                booking.save(update_fields=["status", "updated_at"])
                history.record(booking, "expired")
                raise SlotUnavailable(_("The hold expired and the time was taken by someone else."))
        _advance_hold(booking, now)
    return booking


def approve(booking: Booking, now=None) -> Booking:
    with transaction.atomic():
        _lock_existing(booking)
        _require_status(booking, Booking.Status.REQUESTED, "approved")
        return _confirm(booking, now or timezone.now(), approved=True)


def decline(booking: Booking, now=None) -> Booking:
    with transaction.atomic():
        _lock_existing(booking)
        _require_status(booking, Booking.Status.REQUESTED, "declined")
        booking.status = Booking.Status.DECLINED
        booking.cancelled_at = now or timezone.now()
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
        history.record(booking, "declined", history.BY_STAFF)
        _announce(signals.booking_cancelled, booking, by="staff", declined=True)
    return booking


def mark_outcome(booking: Booking, status: str, now: datetime | None = None) -> Booking:
    """Record how a confirmed appointment went: ``completed`` or ``no_show``, once it has started."""
    if status not in (Booking.Status.COMPLETED, Booking.Status.NO_SHOW):
        raise BookingError(f"{status!r} is not an appointment outcome.", field="status")
    now = now or timezone.now()
    with transaction.atomic():
        _lock_existing(booking)
        _require_status(booking, Booking.Status.CONFIRMED, "marked")
        if booking.start > now:
            raise NotAllowed("An appointment's outcome can only be recorded once it has started.")
        booking.status = status
        booking.save(update_fields=["status", "updated_at"])
        history.record(booking, status, history.BY_STAFF)
        _announce(signals.booking_outcome, booking, status=status)
    return booking


def cancel(booking: Booking, by: str = "client", now=None) -> Booking:
    """Cancel a live booking. Clients must be before the service's cut-off; staff may cancel at any time.

    A hold that was never completed is released at once without a notification; a payment that completes later
    is refused by :func:`complete_hold` (and refunded by the payment integration). The status is read under the
    booking's row lock, so a hold whose payment has just completed is cancelled as the live booking it now is.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _lock_existing(booking)
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
        _announce(signals.booking_cancelled, booking, by=by)
    return booking


def reschedule(booking: Booking, new_start: datetime, by: str = "client", now=None) -> Booking:
    """Move a live booking to another free start with the same provider."""
    now = now or timezone.now()
    with transaction.atomic():
        # Provider first, then the booking (the module's lock order); a booking never changes provider.
        locked = _lock_providers(booking.service, [booking.provider_id], any_state=True)
        _lock_existing(booking)
        if booking.status not in (Booking.Status.REQUESTED, Booking.Status.CONFIRMED):
            raise NotAllowed(_("This booking is %(status)s and cannot be rescheduled.")
                             % {"status": booking.get_status_display().lower()})
        if by == "client":
            _check_cutoff(booking, now, "rescheduled")
        previous_start = booking.start
        slot = _free_slot(booking.service, new_start, locked, now, exclude_booking=booking)
        booking.start, booking.end = slot.start, slot.end
        _set_span(booking)
        _insert(booking, booking.service, new_start, locked, now)
        history.record(booking, "rescheduled", by, previous_start=previous_start, start=booking.start)
        _announce(signals.booking_rescheduled, booking, previous_start=previous_start)
    return booking


def create_by_staff(service: Service, provider: Provider, start: datetime, client: ClientDetails,
                    status: str = Booking.Status.CONFIRMED, now=None) -> Booking:
    """A booking entered in the admin: may lie outside working hours, never over other busy time."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_providers(service, [provider.pk], any_state=True)
        _release_expired_holds([provider.pk], now)
        booking = Booking(site_id=service.site_id, service=service, provider=provider, start=start,
                          end=start + timedelta(minutes=service.duration_minutes), status=Booking.Status.HELD,
                          client_name=client.name, client_email=client.email, client_phone=client.phone,
                          client_timezone=client.timezone, sms_consent=client.sms_consent and bool(client.phone),
                          # the staff's admin language says nothing of the client's: the site's unless given
                          language=_language(client, settings.LANGUAGE_CODE), price=service.price, deposit_due=0,
                          currency=business_currency(service.site))
        _set_span(booking)
        issue_token(booking)
        if not _span_is_free(booking, now):
            raise SlotUnavailable(f"{provider} is busy at that time (another booking, a busy block or time off).")
        _insert(booking, service, start, [provider.pk], now)
        history.record(booking, "created", history.BY_STAFF)
        if status == Booking.Status.CONFIRMED:
            _confirm(booking, now, by=history.BY_STAFF)
        else:
            booking.status = status
            booking.save(update_fields=["status"])
    return booking


def delete_expired_holds(now=None) -> int:
    """Housekeeping for the periodic task; availability already ignores expired holds the moment they expire.

    Holds are kept for ``EXPIRED_HOLD_RETENTION_HOURS`` after expiry so that a payment finishing late can still
    find its hold (see :func:`complete_hold`).
    """
    cutoff = (now or timezone.now()) - timedelta(hours=booking_settings.EXPIRED_HOLD_RETENTION_HOURS)
    # Holds that reached a payment attempt stay: they are the record of that attempt (and of any refund).
    stale = Booking.objects.filter(status__in=[Booking.Status.HELD, Booking.Status.EXPIRED],
                                   hold_expires_at__lte=cutoff, payments__isnull=True)
    deleted, _ = stale.delete()
    return deleted


# Internals ------------------------------------------------------------------------------------------------------


def _price_in(service, currency):
    try:
        return price_in(service, currency)
    except NotPricedIn as error:
        # 409, not 400: the code is well-formed; it conflicts with the prices the service has now.
        raise NotAllowed(_("%(service)s cannot be booked in %(currency)s; it is priced in %(currencies)s.")
                           % {"service": service.name, "currency": error.currency,
                              "currencies": ", ".join(error.currencies)}, field="currency") from error


def _language(client: ClientDetails, default: str = "") -> str:
    try:
        return language_code(client.language or default)
    except LookupError:  # callers check a requested language; this is the active one, outside LANGUAGES
        return settings.LANGUAGE_CODE


def _handoff():
    """The integration that takes paid holds, named by ``PAYMENT_HANDOFF`` (a seam: bookings never import it)."""
    return import_string(booking_settings.PAYMENT_HANDOFF)()


def _lock(booking):
    """Lock the booking's row and reload ``booking`` from it: whatever the caller read before may be stale."""
    booking.refresh_from_db(from_queryset=Booking.objects.select_for_update())


def _lock_existing(booking):
    try:
        _lock(booking)
    except Booking.DoesNotExist as error:
        raise NotAllowed(_("This booking no longer exists (an unpaid hold is removed after it expires).")) from error


def _lock_providers(service, provider_ids, any_state=False) -> list[int]:
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


def _free_slot(service, start, provider_ids, now, exclude_booking=None) -> Slot:
    _release_expired_holds(provider_ids, now)
    window_start, window_end = start - ALTERNATIVES_WINDOW, start + ALTERNATIVES_WINDOW
    slots = available_slots(service, window_start, window_end, provider_ids, now, exclude_booking)
    for slot in slots:
        if slot.start == start:
            return slot
    raise SlotUnavailable(_("Sorry, that time is no longer available."), nearest_slots(slots, start))


def _span_is_free(booking, now) -> bool:
    schedules = load_schedules(booking.service, booking.blocked_start, booking.blocked_end,
                               [booking.provider_id], now, exclude_booking=booking if booking.pk else None,
                               active_only=False)
    busy = BusyIndex(schedules[0].busy if schedules else ())
    return not busy.overlaps(Interval(booking.blocked_start, booking.blocked_end))


def _release_expired_holds(provider_ids, now, keep=None):
    expired = Booking.objects.expired_holds(now).filter(provider_id__in=provider_ids)
    if keep is not None:
        expired = expired.exclude(pk=keep.pk)
    expired.update(status=Booking.Status.EXPIRED)


def _insert(booking, service, start, provider_ids, now):
    """Save; if the database's no-overlap constraint fires anyway, answer as for any lost race."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:
        if "wagtail_booking_no_overlap" not in str(error):
            raise
        slots = available_slots(service, start - ALTERNATIVES_WINDOW, start + ALTERNATIVES_WINDOW, provider_ids, now)
        raise SlotUnavailable(_("Sorry, that time was just taken."), nearest_slots(slots, start)) from error


def _set_span(booking):
    booking.blocked_start = booking.start - timedelta(minutes=booking.service.buffer_before_minutes)
    booking.blocked_end = booking.end + timedelta(minutes=booking.service.buffer_after_minutes)


def _set_intake(booking, service, client):
    if service.intake_form_id:
        booking.intake_form_id = service.intake_form_id
        booking.intake_form_version = service.intake_form.version
        booking.intake_answers = client.intake_answers


def _advance_hold(booking, now):
    """The client's hold becomes a request or a booking (at once when free, or once paid)."""
    if booking.service.booking_mode == Service.Mode.REQUEST:
        booking.status = Booking.Status.REQUESTED
        booking.hold_expires_at = None
        booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
        history.record(booking, "requested", history.BY_CLIENT)
        _announce(signals.booking_requested, booking)
    else:
        _confirm(booking, now, by=history.BY_CLIENT)


def _confirm(booking, now, approved=False, by=history.BY_STAFF):
    booking.status = Booking.Status.CONFIRMED
    booking.confirmed_at = now
    booking.hold_expires_at = None
    booking.save(update_fields=["status", "confirmed_at", "hold_expires_at", "updated_at"])
    history.record(booking, "approved" if approved else "confirmed", by)
    _announce(signals.booking_confirmed, booking, **({"approved": True} if approved else {}))
    return booking


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


def _announce(signal, booking, **kwargs):
    """Tell the integrations inside this transaction: what they queue (outbox) commits with the change itself."""
    with transaction.atomic():
        signals.send_isolated(signal, sender=Booking, booking=booking, **kwargs)
