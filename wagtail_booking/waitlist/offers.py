"""Offering freed places: the first waiting entry (by position) whose want a free place matches is offered it.

A place is offered to one entry at a time: a place under a live offer is not offered to anyone else until the offer
lapses. The offer itself reserves nothing in the calendar — a client booking directly may take the place first; the
claim then fails like any lost race (``claims``). Every run locks the service's waiting and offered entries, so two
runs (a cancellation's task and the periodic sweep) never offer the same place twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from .. import signals
from ..bookings.availability import available_slots, local_day_bounds
from ..bookings.models import ClassSession
from ..scheduling.types import Slot
from ..site_settings import site_settings
from ..snippets.models import Service
from .models import WaitlistEntry

logger = logging.getLogger(__name__)
Status = WaitlistEntry.Status


def offer_minutes(site) -> int:
    config = site_settings(site)
    return config.waitlist_offer_minutes if config is not None else 120


def offer_free_places(service: Service, now: datetime | None = None) -> list[WaitlistEntry]:
    """Offer every free place of ``service`` that a waiting entry wants, in line order. Returns the entries offered."""
    now = now or timezone.now()
    with transaction.atomic():
        entries = list(WaitlistEntry.objects.select_for_update(of=("self",)).filter(
            service=service, status__in=[Status.WAITING, Status.OFFERED]).select_related("session")
            .order_by("position", "created_at", "pk"))
        waiting = [entry for entry in entries if entry.status == Status.WAITING and _still_wanted(entry, now)]
        if not waiting:
            return []
        live = [entry for entry in entries if entry.status == Status.OFFERED and entry.offer_expires_at > now]
        taken = {(entry.offered_start, entry.offered_provider_id) for entry in live if not entry.session_id}
        seats_promised = _seats_promised(live)
        slots = _free_slots(service, waiting, now)
        offered = []
        for entry in waiting:
            if entry.scope == WaitlistEntry.Scope.SESSION:
                session = entry.session
                if session.seats_left - seats_promised.get(session.pk, 0) >= entry.seats:
                    seats_promised[session.pk] = seats_promised.get(session.pk, 0) + entry.seats
                    offered.append(make_offer(entry, session.start, session.provider_id, now))
                continue
            slot = next((slot for slot in slots if _matches(entry, slot)
                         and (slot.start, slot.provider_id) not in taken), None)
            if slot is not None:
                taken.add((slot.start, slot.provider_id))
                offered.append(make_offer(entry, slot.start, slot.provider_id, now))
    return offered


def make_offer(entry: WaitlistEntry, start: datetime, provider_id: int, now: datetime) -> WaitlistEntry:
    """Offer ``entry`` the place; the caller holds the entry's row lock. The claim link is made and sent after the
    commit (``notifications``), which stores its token's hash on the entry."""
    entry.status = Status.OFFERED
    entry.offered_start, entry.offered_provider_id = start, provider_id
    entry.offered_at = now
    # An offer never outlives the place: past its start there is nothing left to claim.
    entry.offer_expires_at = min(now + timedelta(minutes=offer_minutes(entry.site)), start)
    entry.claim_token_hash = ""
    entry.save(update_fields=["status", "offered_start", "offered_provider", "offered_at", "offer_expires_at",
                              "claim_token_hash", "updated_at"])
    logger.info("Waitlist entry %s offered %s with provider %s", entry.pk, start.isoformat(), provider_id)
    signals.send_isolated(signals.waitlist_offered, sender=WaitlistEntry, entry=entry)
    return entry


def offer_now(entry: WaitlistEntry, now: datetime | None = None) -> WaitlistEntry | None:
    """Staff's "offer now": offer this entry the first free place it wants, ahead of its line. None when there is
    no free place for it (or it is no longer waiting)."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update(of=("self",)).select_related("session").get(pk=entry.pk)
        if entry.status not in (Status.WAITING, Status.EXPIRED) or not _still_wanted(entry, now):
            return None
        live = list(WaitlistEntry.objects.filter(service_id=entry.service_id, status=Status.OFFERED,
                                                 offer_expires_at__gt=now).exclude(pk=entry.pk))
        if entry.scope == WaitlistEntry.Scope.SESSION:
            promised = _seats_promised(live).get(entry.session_id, 0)
            if entry.session.seats_left - promised < entry.seats:
                return None
            return make_offer(entry, entry.session.start, entry.session.provider_id, now)
        taken = {(other.offered_start, other.offered_provider_id) for other in live}
        slot = next((slot for slot in _free_slots(entry.service, [entry], now)
                     if _matches(entry, slot) and (slot.start, slot.provider_id) not in taken), None)
        return make_offer(entry, slot.start, slot.provider_id, now) if slot else None


def expire_lapsed_offers(now: datetime | None = None) -> set[int]:
    """Mark offers past their end expired; returns the ids of their services (whose places go to the next)."""
    now = now or timezone.now()
    with transaction.atomic():
        lapsed = list(WaitlistEntry.objects.select_for_update().filter(status=Status.OFFERED,
                                                                       offer_expires_at__lte=now))
        for entry in lapsed:
            entry.status = Status.EXPIRED
            entry.save(update_fields=["status", "updated_at"])
    return {entry.service_id for entry in lapsed}


def sweep(now: datetime | None = None) -> int:
    """The periodic task's work: lapse old offers, then offer any free place a waiting entry wants (this finds
    places freed without a signal too: an expired hold, a removed busy block). Returns how many offers went out."""
    now = now or timezone.now()
    services = expire_lapsed_offers(now)
    services |= set(WaitlistEntry.objects.filter(status=Status.WAITING).values_list("service_id", flat=True))
    return sum(len(offer_free_places(service, now)) for service in Service.objects.filter(pk__in=services))


# Internals -------------------------------------------------------------------------------------------------------


def _still_wanted(entry, now) -> bool:
    if entry.scope == WaitlistEntry.Scope.SESSION:
        return entry.session.status == ClassSession.Status.SCHEDULED and entry.session.start > now
    if entry.scope == WaitlistEntry.Scope.TIME:
        return entry.start > now
    return entry.day >= now.astimezone(ZoneInfo(entry.client_timezone)).date()


def _window(entry):
    if entry.scope == WaitlistEntry.Scope.TIME:
        return entry.start, entry.start + timedelta(minutes=1)
    return local_day_bounds(entry.day, entry.day, entry.client_timezone)


def _free_slots(service, entries, now) -> list[Slot]:
    """The free starts covering every entry's want: one availability search over the span of all of them."""
    windows = [_window(entry) for entry in entries if entry.scope != WaitlistEntry.Scope.SESSION]
    if not windows:
        return []
    start, end = max(min(window[0] for window in windows), now), max(window[1] for window in windows)
    if start >= end:
        return []
    # Expired holds still say "held" until a write releases them, but availability already ignores them.
    return available_slots(service, start, end, None, now)


def _matches(entry, slot) -> bool:
    if entry.provider_id and slot.provider_id != entry.provider_id:
        return False
    if entry.scope == WaitlistEntry.Scope.TIME:
        return slot.start == entry.start
    return slot.start.astimezone(ZoneInfo(entry.client_timezone)).date() == entry.day


def _seats_promised(live_offers) -> dict[int, int]:
    promised = {}
    for entry in live_offers:
        if entry.session_id:
            promised[entry.session_id] = promised.get(entry.session_id, 0) + entry.seats
    return promised

