"""The waitlist's messages: "you're on the waitlist" (with the link to leave) and the offer of a freed place.

The offer's claim link is made here, in the task that sends it: its token is random and only its hash is stored
(``waitlist.claims.issue_token``), inside the transaction that sends the email, so a send that fails leaves no
token and the retry sends a fresh one; a retry after success finds the token issued and sends nothing.
The text message names the place and points to the email: a text's body is stored, a claim token must not be.
"""

from datetime import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import formats, signals
from ..conf import booking_settings
from ..outbox import durable_task, enqueue
from ..waitlist import claims, lines
from ..waitlist.models import WaitlistEntry
from .context import business_name, site_base_url, site_settings
from .models import SmsMessage, SmsOptOut
from .tasks import send_sms_task


def wanted(entry) -> str:
    """What the entry waits for, in the client's words and zone."""
    if entry.scope == WaitlistEntry.Scope.SESSION:
        return formats.when(entry.session.start, entry.client_timezone)
    if entry.scope == WaitlistEntry.Scope.TIME:
        return formats.when(entry.start, entry.client_timezone)
    return _("any time on %(day)s") % {"day": date_format(entry.day, "D j M Y")}


def send_joined_email(entry_id) -> bool:
    entry = WaitlistEntry.objects.select_related("service", "site", "provider", "session").filter(pk=entry_id).first()
    if entry is None or entry.status != WaitlistEntry.Status.WAITING:
        return False
    base = site_base_url(entry.site).rstrip("/")
    with formats.speaking(entry.language):
        path = reverse("wagtail_booking:waitlist-leave", args=[entry.pk, lines.leave_token(entry)])
        context = {"entry": entry, "wanted": wanted(entry), "leave_url": base + path,
                   "business_name": business_name(entry.site)}
        _email(entry, _("You are on the waitlist for %(service)s") % {"service": entry.service.name},
               "wagtail_booking/email/waitlist_joined.txt", context)
    return True


def send_offer(entry_id, offered_at_iso) -> bool:
    """Email (and text, where agreed) the offer made at ``offered_at_iso``; False when it went already or lapsed."""
    with transaction.atomic():
        entry, token = claims.issue_token(entry_id, datetime.fromisoformat(offered_at_iso))
        if entry is None:
            return False
        base = site_base_url(entry.site).rstrip("/")
        with formats.speaking(entry.language):
            context = {"entry": entry, "business_name": business_name(entry.site),
                       "place": formats.when(entry.offered_start, entry.client_timezone),
                       "until": formats.when(entry.offer_expires_at, entry.client_timezone),
                       "claim_url": base + reverse("wagtail_booking:waitlist-claim", args=[token])}
            _email(entry, _("A place is free for you: %(service)s") % {"service": entry.service.name},
                   "wagtail_booking/email/waitlist_offer.txt", context)
            _queue_text(entry, context)
    return True


def _email(entry, subject, template, context):
    config = site_settings(entry.site)
    EmailMessage(subject=subject, body=render_to_string(template, context), from_email=booking_settings.from_email,
                 to=[entry.client_email], reply_to=[config.contact_email] if config and config.contact_email else []
                 ).send()


def _queue_text(entry, context):
    config = site_settings(entry.site)
    if not (config and config.sms_enabled and entry.sms_consent and entry.client_phone):
        return
    if SmsOptOut.is_opted_out(entry.client_phone):
        return
    body = render_to_string("wagtail_booking/sms/waitlist_offer.txt", context).strip()
    message = SmsMessage.objects.create(site_id=entry.site_id, kind="waitlist_offer", to=entry.client_phone,
                                        body=body)
    enqueue(send_sms_task, message.pk)


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def send_waitlist_joined_task(entry_id):
    send_joined_email(entry_id)


@durable_task(retries=4, retry_delay=30, retry_backoff=2)
def send_waitlist_offer_task(entry_id, offered_at_iso):
    send_offer(entry_id, offered_at_iso)


def _on_joined(sender, entry, **kwargs):
    enqueue(send_waitlist_joined_task, entry.pk)


def _on_offered(sender, entry, **kwargs):
    enqueue(send_waitlist_offer_task, entry.pk, entry.offered_at.isoformat())


def connect():
    signals.waitlist_joined.connect(_on_joined, dispatch_uid="wagtail_booking.notifications.waitlist_joined")
    signals.waitlist_offered.connect(_on_offered, dispatch_uid="wagtail_booking.notifications.waitlist_offered")
