"""A client's hold: reserved, then confirmed, sent for approval, or kept until its payment completes.

The later lifecycle (approval, cancellation, rescheduling) is in ``services``, which re-exports what is here.
"""

from __future__ import annotations

import inspect
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import signals
from ..conf import booking_settings
from ..snippets.models import Provider, Service
from ..snippets.prices import NotPricedIn, price_in
from . import history, resources, series_payments, sessions, writes
from .models import Booking
from .tokens import issue_token
from .writes import BookingError, ClientDetails, NotAllowed, SlotUnavailable

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
                now: datetime | None = None, hold_for: timedelta | None = None, currency: str | None = None,
                seats: int = 1) -> Booking:
    """Reserve ``start`` for the client, then confirm it, ask for approval, or leave it held for payment.

    A hold awaiting payment keeps the slot for ``hold_for`` (default: ``HOLD_MINUTES``). The booking is priced in
    ``currency`` (its business's when not given); a currency the service has no price in is a ``BookingError``.
    For a class, the booking takes ``seats`` seats in the session at ``start`` (``sessions``), priced per seat.
    """
    now = now or timezone.now()
    sessions.check_seats(service, seats)
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
        locked = writes.lock_providers(service, provider_ids)
        resources.lock_pool(service, now)  # before a class's session: a new one takes a room of the pool
        session = None
        if service.is_class:
            slot, session = sessions.claim_seats(service, start, locked, seats, now)
        else:
            slot = writes.free_slot(service, start, locked, now)
        booking = Booking(site_id=service.site_id, service=service, provider_id=slot.provider_id,
                          resource_id=None if session else slot.resource_id,  # a seat has its session's room
                          start=slot.start, end=slot.end, status=Booking.Status.HELD, session=session, seats=seats,
                          hold_expires_at=now + (hold_for or booking_settings.hold_duration),
                          client_name=client.name, client_email=client.email, client_phone=client.phone,
                          client_timezone=client.timezone, sms_consent=client.sms_consent and bool(client.phone),
                          language=writes.language_for(client), price=quote.price * seats,
                          deposit_due=quote.deposit * seats, currency=quote.currency)
        writes.set_span(booking)
        set_intake(booking, service, client)
        issue_token(booking)
        writes.insert(booking, service, start, locked, now)
        history.record(booking, "created", history.BY_CLIENT)
        if booking.deposit_due == 0:
            advance_hold(booking, now)
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
        resources.lock_pool(booking.service, now, also=booking.resource_id)
        session = sessions.lock_session(booking.session_id)  # a class's session before the booking (lock order)
        try:
            writes.lock(booking)
        except Booking.DoesNotExist as error:
            raise SlotUnavailable(_("The hold expired long ago and was removed; the time is no longer held.")
                                  ) from error
        if booking.status in (Booking.Status.CANCELLED, Booking.Status.DECLINED):
            raise SlotUnavailable(_("This booking was cancelled before the payment completed."))
        if booking.status not in (Booking.Status.HELD, Booking.Status.EXPIRED):
            return booking  # already completed: a retry or a second webhook
        if not booking.is_live:
            writes.release_expired_holds([booking.provider_id], now, keep=booking)
            if session:
                still_free = sessions.seats_still_free(booking, session)
            else:
                still_free = writes.span_is_free(booking, now) and _revive_resource(booking, now)
            if not still_free:
                booking.status = Booking.Status.EXPIRED
                booking.save(update_fields=["status", "updated_at"])
                history.record(booking, "expired")
                raise SlotUnavailable(_("The hold expired and the time was taken by someone else."))
        advance_hold(booking, now)
        series_payments.reserve_later(booking, now)  # a series' later appointments wait for their own deposits
    return booking


def delete_expired_holds(now=None) -> int:
    """Housekeeping for the periodic task; availability already ignores expired holds the moment they expire.

    Holds are kept for ``EXPIRED_HOLD_RETENTION_HOURS`` after expiry so that a payment finishing late can still
    find its hold (see :func:`complete_hold`).
    """
    cutoff = (now or timezone.now()) - timedelta(hours=booking_settings.EXPIRED_HOLD_RETENTION_HOURS)
    # Holds that reached a payment attempt stay: they are the record of that attempt (and of any refund).
    # Nor do a series' appointments that waited for their deposit: the client's list of the series shows them.
    stale = Booking.objects.filter(status__in=[Booking.Status.HELD, Booking.Status.EXPIRED],
                                   hold_expires_at__lte=cutoff, payments__isnull=True, deposit_step="")
    deleted, _ = stale.delete()
    return deleted


def _price_in(service, currency):
    try:
        return price_in(service, currency)
    except NotPricedIn as error:
        # 409, not 400: the code is well-formed; it conflicts with the prices the service has now.
        raise NotAllowed(_("%(service)s cannot be booked in %(currency)s; it is priced in %(currencies)s.")
                           % {"service": service.name, "currency": error.currency,
                              "currencies": ", ".join(error.currencies)}, field="currency") from error


def _handoff():
    """The integration that takes paid holds, named by ``PAYMENT_HANDOFF`` (a seam: bookings never import it)."""
    return import_string(booking_settings.PAYMENT_HANDOFF)()


def _revive_resource(booking, now) -> bool:
    """An expired hold keeps its resource if still free, else takes another free member; False when none is."""
    if not resources.booking_holds_resource(booking.service):
        return True
    try:
        resources.take_free_resource(booking, now)
    except LookupError:
        return False
    booking.save(update_fields=["resource", "updated_at"])
    return True


def set_intake(booking, service, client):
    if service.intake_form_id:
        booking.intake_form_id = service.intake_form_id
        booking.intake_form_version = service.intake_form.version
        booking.intake_answers = client.intake_answers


def advance_hold(booking, now):
    """The client's hold becomes a request or a booking (at once when free, or once paid)."""
    if booking.service.booking_mode == Service.Mode.REQUEST:
        booking.status = Booking.Status.REQUESTED
        booking.hold_expires_at = None
        booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
        history.record(booking, "requested", history.BY_CLIENT)
        writes.announce(signals.booking_requested, booking)
    else:
        writes.confirm(booking, now, by=history.BY_CLIENT)
