"""The credits ledger: grant, spend, give back, revoke, expire. Every change locks the purchase row, re-reads its
balance under the lock, then decides (STYLE rule 17), so no two bookings can spend the same last credit.

Lock order: a booking being confirmed or cancelled is locked by ``bookings.services`` first (provider, then
booking), then the purchase row here; staff grants, revocations and expiry lock the purchase row alone.
"""

import hashlib
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .. import formats
from ..site_settings import business_zone
from .models import CreditEntry, CreditPurchase

Kind = CreditEntry.Kind


class NoCredit(Exception):
    """No usable credit: none left, expired, not for this service, or not this client's. ``message`` says which."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def credit_comes_back(by: str, refund_percent: Decimal) -> bool:
    """Whether cancelling returns the credit: always when the business cancels; for the client only when the
    policy would refund a paid booking in full at that notice (a partial refund cannot split a session)."""
    return by != "client" or refund_percent >= Decimal(100)


def code_for(purchase) -> str:
    """The code printed in the purchase email: derived from the purchase and SECRET_KEY, so only its hash is
    stored and the email task can write it again without keeping it anywhere."""
    digest = salted_hmac("wagtail_booking.packages.code", str(purchase.pk)).hexdigest()[:12].upper()
    return "-".join(digest[i:i + 4] for i in range(0, 12, 4))


def hash_code(code: str) -> str:
    normal = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def balance_of(purchase) -> int:
    return purchase.entries.aggregate(total=Sum("change"))["total"] or 0


def usable(site_id, service, now=None):
    """Purchases of the business that cover ``service`` and have not expired (balance not yet checked)."""
    now = now or timezone.now()
    return (CreditPurchase.objects.filter(site_id=site_id, package__services=service, expires_at__gt=now)
            .select_related("package").order_by("expires_at", "pk"))


def owned_by(purchases, user=None, code="", email=""):
    """The purchases the client has proved are theirs: signed in as the buyer, holding the emailed code, or in a
    "my bookings" session opened from a link sent to the buyer's address (``email``: it proves the mailbox the
    purchase email and its code went to, as signing in proves the account)."""
    proof = Q(pk__in=[])
    if user is not None and getattr(user, "is_authenticated", False):
        proof |= Q(user=user)
    if email:
        proof |= Q(client_email__iexact=email)
    if code:
        proof |= Q(code_hash=hash_code(code))
    return purchases.filter(proof)


def _lock(purchase) -> CreditPurchase:
    return CreditPurchase.objects.select_for_update().get(pk=purchase.pk)


def _entry(purchase, kind, change, booking=None, reason="", by=None):
    return CreditEntry.objects.create(purchase=purchase, kind=kind, change=change, booking=booking, reason=reason,
                                      by=by)


def spend(purchase, booking, now=None) -> CreditEntry:
    """Use one credit of ``purchase`` for ``booking`` (one per seat in a class); raises :class:`NoCredit` when
    there are not enough to use."""
    now = now or timezone.now()
    with transaction.atomic():
        purchase = _lock(purchase)
        if purchase.expires_at <= now:
            raise NoCredit(_("These credits expired on %(date)s.") % {"date": purchase.expires_at.date()})
        if not purchase.package.services.filter(pk=booking.service_id).exists():
            raise NoCredit(_("These credits are not for %(service)s.") % {"service": booking.service.name})
        left = balance_of(purchase)
        if left < 1:
            raise NoCredit(_("There are no credits left on this package."))
        if left < booking.seats:  # a class booking uses one credit per seat
            raise NoCredit(_("This booking takes %(seats)s seats and the package has %(left)s credits left.")
                           % {"seats": booking.seats, "left": left})
        return _entry(purchase, Kind.USED, -booking.seats, booking=booking)


def paid_by_credit(booking) -> CreditEntry | None:
    """The entry that used a credit for ``booking`` and has not been returned, if any."""
    used = CreditEntry.objects.filter(booking=booking, kind=Kind.USED).select_related("purchase").first()
    if used is None or CreditEntry.objects.filter(booking=booking, kind=Kind.RETURNED).exists():
        return None
    return used


def give_back(booking, by: str, refund_percent: Decimal) -> CreditEntry | None:
    """After ``booking`` was cancelled: return its credit when the policy says so (see :func:`credit_comes_back`).

    Returns the entry written, or None (no credit paid for it, already returned, or used up by a late cancel).
    """
    with transaction.atomic():
        used = CreditEntry.objects.filter(booking=booking, kind=Kind.USED).first()
        if used is None:
            return None
        _lock(used.purchase)
        if CreditEntry.objects.filter(booking=booking, kind=Kind.RETURNED).exists():
            return None  # a retry
        if not credit_comes_back(by, refund_percent):
            return None
        return _entry(used.purchase, Kind.RETURNED, -used.change, booking=booking,
                      reason="Cancelled by the business" if by != "client" else "Cancelled in time")


def grant(purchase, sessions: int, reason: str, by=None) -> CreditEntry:
    """Staff add ``sessions`` credits (a goodwill gesture, a correction); ``reason`` is required."""
    if sessions < 1 or not reason.strip():
        raise ValueError("A grant needs a positive number of sessions and a reason.")
    with transaction.atomic():
        purchase = _lock(purchase)
        return _entry(purchase, Kind.GRANTED, sessions, reason=reason.strip(), by=by)


def revoke(purchase, sessions: int, reason: str, by=None) -> CreditEntry:
    """Staff take back up to the balance; ``reason`` is required. Raises :class:`NoCredit` beyond the balance."""
    if sessions < 1 or not reason.strip():
        raise ValueError("A revocation needs a positive number of sessions and a reason.")
    with transaction.atomic():
        purchase = _lock(purchase)
        if sessions > balance_of(purchase):
            raise NoCredit(f"Only {balance_of(purchase)} credit(s) left to revoke.")
        return _entry(purchase, Kind.REVOKED, -sessions, reason=reason.strip(), by=by)


def expire(purchase, now=None) -> CreditEntry | None:
    """Write off what is left of an expired purchase (once: the balance is zero afterwards)."""
    now = now or timezone.now()
    with transaction.atomic():
        purchase = _lock(purchase)
        left = balance_of(purchase)
        if purchase.expires_at > now or left <= 0:
            return None
        return _entry(purchase, Kind.EXPIRED, -left, reason="Expired")


def expire_all(now=None) -> int:
    """Expire every purchase past its date that still has credits; returns how many were written off."""
    now = now or timezone.now()
    candidates = (CreditPurchase.objects.filter(expires_at__lte=now).annotate(left=Sum("entries__change"))
                  .filter(left__gt=0))
    return sum(1 for purchase in candidates if expire(purchase, now) is not None)


def paid_with(booking) -> dict | None:
    """For a booking a credit paid: its package's name and the credits left on that purchase (pages, emails)."""
    used = CreditEntry.objects.filter(booking=booking, kind=Kind.USED).select_related("purchase__package").first()
    if used is None:
        return None
    return {"package": used.purchase.package.name, "left": balance_of(used.purchase),
            "expires_at": used.purchase.expires_at}


def balances_for(site_id, email, now=None) -> list[dict]:
    """The client's live purchases at a business (their "my bookings" page): package, credits left, expiry."""
    now = now or timezone.now()
    purchases = (CreditPurchase.objects.filter(site_id=site_id, client_email__iexact=email, expires_at__gt=now)
                 .select_related("package").order_by("expires_at", "pk"))
    rows = [{"package": p.package.name, "left": balance_of(p), "expires_at": p.expires_at,
             "expires": formats.when(p.expires_at, business_zone(p.site))} for p in purchases]
    return [row for row in rows if row["left"] > 0]
