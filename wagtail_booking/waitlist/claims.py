"""Claiming an offer: the link's token finds the entry; claiming makes an ordinary hold, so the first valid claim
wins under the database's guarantees and a later one gets :class:`PlaceTaken` with the nearest free times.

The claim token is random and stored only as its SHA-256 hash: it is made when the offer is sent (after the commit,
by ``notifications``) and lives only in the client's email and text.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..bookings import services
from ..bookings.models import Booking
from ..snippets.models import Provider
from .models import WaitlistEntry

Status = WaitlistEntry.Status


class ClaimRefused(Exception):
    """A claim that cannot be made; ``reason`` is "unknown", "used", "expired", "taken", or "refused" (the booking
    rules said no: ``message`` says why, for the client)."""

    def __init__(self, reason, entry=None, alternatives=(), message=""):
        super().__init__(reason)
        self.reason, self.entry, self.alternatives, self.message = reason, entry, list(alternatives), message


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(entry_id: int, offered_at: datetime) -> tuple[WaitlistEntry, str] | tuple[None, None]:
    """A new claim token for the offer made at ``offered_at``, its hash stored; (None, None) when that offer is no
    longer open or its token was already issued (a retried task sends nothing twice). Call inside the transaction
    that sends the message, so a failed send leaves no token behind."""
    entry = (WaitlistEntry.objects.select_for_update(of=("self",)).select_related("service", "site", "offered_provider")
             .filter(pk=entry_id).first())
    if (entry is None or entry.status != Status.OFFERED or entry.offered_at != offered_at
            or entry.claim_token_hash or entry.offer_expires_at <= timezone.now()):
        return None, None
    token = secrets.token_urlsafe(32)
    entry.claim_token_hash = _hash(token)
    entry.save(update_fields=["claim_token_hash", "updated_at"])
    return entry, token


def entry_for_token(token) -> WaitlistEntry:
    """The entry whose offer ``token`` claims, whatever its state now; :class:`ClaimRefused` ("unknown") else."""
    if not isinstance(token, str) or not 20 < len(token) < 100:
        raise ClaimRefused("unknown")
    entry = (WaitlistEntry.objects.select_related("service", "site", "offered_provider", "booking", "session")
             .filter(claim_token_hash=_hash(token)).first())
    if entry is None:
        raise ClaimRefused("unknown")
    return entry


def check_open(entry: WaitlistEntry, now: datetime | None = None) -> None:
    """Raise :class:`ClaimRefused` unless the entry's offer can be claimed now."""
    now = now or timezone.now()
    if entry.status == Status.CLAIMED:
        raise ClaimRefused("used", entry)
    if entry.status == Status.WAITING:  # back in line after this offer's place was taken (a new offer, a new link)
        raise ClaimRefused("taken", entry)
    if entry.status != Status.OFFERED or entry.offer_expires_at <= now:
        raise ClaimRefused("expired", entry)


def claim(token: str, now: datetime | None = None) -> Booking:
    """Book the offered place for the entry's client: the entry row is locked first (a link used twice at once
    books once), then the hold takes the booking's own locks. A place taken meanwhile puts the entry back in line
    (same position) and raises :class:`ClaimRefused` ("taken") with the nearest free times."""
    now = now or timezone.now()
    found = entry_for_token(token)
    refused = None
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=found.pk)
        check_open(entry, now)
        try:
            booking = _hold(entry, now)
        except services.SlotUnavailable as error:
            entry.status = Status.WAITING
            entry.offer_expires_at = None
            entry.save(update_fields=["status", "offer_expires_at", "updated_at"])
            refused = ClaimRefused("taken", entry, error.alternatives)
        except services.BookingError as error:  # e.g. the provider stopped offering it: the offer stands
            refused = ClaimRefused("refused", entry, message=error.message)
        else:
            entry.status = Status.CLAIMED
            entry.booking = booking
            entry.save(update_fields=["status", "booking", "updated_at"])
    if refused is not None:  # raised after the commit: the entry's return to its line is kept
        raise refused
    return booking


def _client(entry):
    return services.ClientDetails(name=entry.client_name, email=entry.client_email, phone=entry.client_phone,
                                  timezone=entry.client_timezone, sms_consent=entry.sms_consent,
                                  language=entry.language)


def _hold(entry, now):
    """An ordinary hold: for a class, ``entry.seats`` seats in the offered session (``create_hold`` locks the
    session and the seat trigger refuses an oversell); otherwise the offered time with the offered provider."""
    if entry.session_id:
        session = entry.session
        provider, start, seats = session.provider, session.start, entry.seats
    else:
        provider = Provider.objects.filter(pk=entry.offered_provider_id).first()
        start, seats = entry.offered_start, 1
    with transaction.atomic():  # a savepoint: a lost race leaves the entry's transaction usable
        return services.create_hold(entry.service, start, _client(entry), provider, now=now, seats=seats)
