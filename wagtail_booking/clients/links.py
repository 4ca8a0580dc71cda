"""Issue and redeem "my bookings" links: hashed at rest, single use, expiring, scoped to one business (site)."""

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from ..bookings.models import Booking
from .models import ClientAccessLink, ConfirmedClientEmail

LINK_MINUTES = 30
# One link per address and business in this many seconds: asking again sooner sends nothing more (an inbox cannot
# be flooded through the form; the page answers the same).
RESEND_SECONDS = 60
KEY_SALT = "wagtail_booking.client-access-link"


def normalise(email: str) -> str:
    return email.strip().lower()


def link_token(link) -> str:
    return signing.Signer(salt=KEY_SALT, algorithm="sha256").signature(f"{link.pk}:{link.nonce}")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bookings_for(site, email):
    return (Booking.objects.filter(site=site, client_email__iexact=normalise(email))
            .exclude(status__in=[Booking.Status.HELD, Booking.Status.EXPIRED])
            .select_related("service", "provider").order_by("start"))


def issue(site, email, user=None):
    """A new link for ``email`` at ``site``, or None when nothing should be sent (no bookings there, or a link
    went out moments ago). Call inside a transaction and enqueue the email with the link's id. The email is written
    in the language active now (the page's)."""
    email = normalise(email)
    now = timezone.now()
    if user is None and not bookings_for(site, email).exists():
        return None
    recent = ClientAccessLink.objects.filter(site=site, email=email,
                                             created_at__gt=now - timedelta(seconds=RESEND_SECONDS))
    if recent.exists():
        return None
    link = ClientAccessLink(site=site, email=email, nonce=secrets.token_hex(16), created_at=now,
                            expires_at=now + timedelta(minutes=LINK_MINUTES), user=user, language=get_language(),
                            token_hash=secrets.token_hex(32))  # placeholder until the id is known
    link.save()
    link.token_hash = _hash(link_token(link))
    link.save(update_fields=["token_hash"])
    return link


def find(site, token):
    """The unused, unexpired link of ``site`` with this token, or None (without using it)."""
    if not isinstance(token, str) or not 10 < len(token) < 200:
        return None
    return ClientAccessLink.objects.filter(site=site, token_hash=_hash(token), used_at__isnull=True,
                                           expires_at__gt=timezone.now()).first()


def redeem(site, token, user=None):
    """Use the link: returns its (lower-case) email, or None when it is unknown, used, expired or of another
    business. A link sent to confirm an account's address confirms it when that account opens it."""
    with transaction.atomic():
        link = find(site, token)
        if link is None:
            return None
        link = ClientAccessLink.objects.select_for_update().get(pk=link.pk)
        if link.used_at is not None or link.expires_at <= timezone.now():  # re-read under the lock
            return None
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        if link.user_id and user is not None and user.is_authenticated and user.pk == link.user_id:
            ConfirmedClientEmail.objects.get_or_create(user=user, email=link.email)
        return link.email


def account_email_confirmed(user) -> bool:
    return bool(user.email) and ConfirmedClientEmail.objects.filter(user=user, email=normalise(user.email)).exists()
