"""Joining, leaving and reordering a waitlist. A line is one service's entries for one day; its order is
``position`` (a new entry goes to the end)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import signals
from ..bookings.intake import InvalidInput
from ..bookings.models import ClassSession
from ..formats import language_code
from ..phone import to_e164
from ..snippets.models import Provider, Service
from ..timezones import is_known_zone
from .models import WaitlistEntry

LEAVE_SALT = "wagtail_booking.waitlist-leave"
WAITING_OR_OFFERED = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)


class WantRefused(InvalidInput):
    """A well-formed want that cannot be waited for now (a past day, a closed class): the API answers 409."""


@dataclass(frozen=True)
class Want:
    """What the client waits for: any time on ``day`` (in their zone), the time ``start``, or a class ``session``."""

    service: Service
    provider: Provider | None = None
    day: date | None = None
    start: datetime | None = None
    session: ClassSession | None = None
    seats: int = 1

    @property
    def scope(self) -> str:
        if self.session is not None:
            return WaitlistEntry.Scope.SESSION
        return WaitlistEntry.Scope.TIME if self.start is not None else WaitlistEntry.Scope.DAY


@dataclass(frozen=True)
class Waiter:
    name: str
    email: str
    timezone: str
    phone: str = ""
    sms_consent: bool = False
    language: str = ""


def clean_waiter(name, email, zone, phone="", sms_consent=False, language="") -> Waiter:
    """The client's details, or :class:`InvalidInput` naming every field that is wrong."""
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(("name", _("Please give your name.")))
    try:
        validate_email(email or "")
    except ValidationError:
        errors.append(("email", _("Enter a valid email address.")))
    if phone:
        try:
            phone = to_e164(phone)
        except ValueError as error:
            errors.append(("phone", str(error)))
    if not is_known_zone(zone or ""):
        errors.append(("timezone", _("Choose a known time zone (for example Europe/Paris).")))
    try:
        language = language_code(language or None)
    except LookupError:
        errors.append(("language", _("Choose one of the languages offered.")))
    if errors:
        raise InvalidInput(errors)
    return Waiter(name=name, email=email.strip(), timezone=zone, phone=phone or "",
                  sms_consent=bool(sms_consent and phone), language=language)


def check_want(want: Want, now: datetime | None = None) -> Want:
    """A want in the future, for a provider of the service and a class of it; else :class:`WantRefused`."""
    now = now or timezone.now()
    if want.provider is not None and not want.service.providers.filter(pk=want.provider.pk).exists():
        raise WantRefused([("provider", _("%(provider)s does not offer %(service)s.")
                             % {"provider": want.provider, "service": want.service})])
    if want.session is not None and (want.session.service_id != want.service.pk or want.session.start <= now
                                     or want.session.status != ClassSession.Status.SCHEDULED):
        raise WantRefused([("session", _("That class is not open for a waitlist."))])
    if want.start is not None and want.start <= now:
        raise WantRefused([("start", _("That time has passed."))])
    if want.scope == WaitlistEntry.Scope.DAY and (want.day is None or want.day < now.date()):
        raise WantRefused([("day", _("Choose a day from today on."))])
    if not 1 <= want.seats <= max(want.service.max_seats_per_booking, 1):
        raise WantRefused([("seats", _("Ask for between 1 and %(most)s seats.")
                             % {"most": max(want.service.max_seats_per_booking, 1)})])
    return want


def join(want: Want, waiter: Waiter, now: datetime | None = None) -> WaitlistEntry:
    """Put the client at the end of the service's line. Joining the same want twice keeps the first entry."""
    check_want(want, now)
    with transaction.atomic():
        # The service row serialises joins, so two clients never share a position. NO KEY: bookings inserting
        # rows that reference the service (FOR KEY SHARE) are not held up.
        Service.objects.select_for_update(no_key=True).filter(pk=want.service.pk).first()
        same = WaitlistEntry.objects.filter(
            service=want.service, provider=want.provider, scope=want.scope, day=_day(want, waiter), start=want.start,
            session=want.session, client_email__iexact=waiter.email, status__in=WAITING_OR_OFFERED).first()
        if same is not None:
            return same
        last = WaitlistEntry.objects.filter(service=want.service).aggregate(last=Max("position"))["last"] or 0
        entry = WaitlistEntry.objects.create(
            site_id=want.service.site_id, service=want.service, provider=want.provider, scope=want.scope,
            day=_day(want, waiter), start=want.start, session=want.session, seats=want.seats, position=last + 1,
            client_name=waiter.name, client_email=waiter.email, client_phone=waiter.phone,
            client_timezone=waiter.timezone, sms_consent=waiter.sms_consent, language=waiter.language)
        signals.send_isolated(signals.waitlist_joined, sender=WaitlistEntry, entry=entry)
    return entry


def _day(want: Want, waiter: Waiter) -> date:
    """The entry's day in the client's zone, for a time or class too (what the staff's lines group by)."""
    if want.day is not None:
        return want.day
    moment = want.start or want.session.start
    return moment.astimezone(ZoneInfo(waiter.timezone)).date()


def leave_token(entry: WaitlistEntry) -> str:
    return signing.Signer(salt=LEAVE_SALT, algorithm="sha256").signature(f"{entry.pk}:{entry.client_email}")


def entry_for_leave_token(entry_id: int, token: str) -> WaitlistEntry | None:
    entry = WaitlistEntry.objects.select_related("service", "provider").filter(pk=entry_id).first()
    if entry is None or not isinstance(token, str):
        return None
    try:
        signing.Signer(salt=LEAVE_SALT, algorithm="sha256").unsign(f"{entry.pk}:{entry.client_email}:{token}")
    except signing.BadSignature:
        return None
    return entry


def leave(entry: WaitlistEntry) -> WaitlistEntry:
    """Take the entry off its line (the client's link, or staff's "remove"); an offer it holds lapses with it."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status in WAITING_OR_OFFERED:
            entry.status = WaitlistEntry.Status.LEFT
            entry.offer_expires_at = None
            entry.save(update_fields=["status", "offer_expires_at", "updated_at"])
    return entry


def move(entry: WaitlistEntry, up: bool) -> bool:
    """Swap the entry with its neighbour in its line (same service and day, still waiting or offered).

    Returns False at either end. Both rows are locked in id order, so two staff moving at once cannot deadlock.
    """
    with transaction.atomic():
        line = (WaitlistEntry.objects.filter(service_id=entry.service_id, day=entry.day, status__in=WAITING_OR_OFFERED)
                .order_by("position", "created_at", "pk"))
        order = list(line.values_list("pk", flat=True))
        if entry.pk not in order:
            return False
        index = order.index(entry.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(order):
            return False
        rows = {row.pk: row for row in WaitlistEntry.objects.select_for_update().filter(
            pk__in=[order[index], order[other]]).order_by("pk")}
        mine, theirs = rows[order[index]], rows[order[other]]
        if mine.position != theirs.position:
            mine.position, theirs.position = theirs.position, mine.position
        elif up:  # equal positions (served by age): put the one moved on the right side
            theirs.position += 1
        else:
            mine.position += 1
        for row in (mine, theirs):
            row.save(update_fields=["position", "updated_at"])
    return True
