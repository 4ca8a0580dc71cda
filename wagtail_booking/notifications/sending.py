"""Which messages go out for a booking, and how: email always, SMS when the site and the client allow it."""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from .. import formats
from ..bookings.models import Booking
from . import payment_links
from .context import business_name, site_base_url, site_settings
from .models import ReminderSent, SmsMessage, SmsOptOut
from .sms import SmsError, get_backend

logger = logging.getLogger(__name__)
FINAL = {"delivered", "undelivered", "failed"}


def queue_sms(booking, kind, lead_minutes=None):
    """Record a text for the send task, if SMS is on for the site and the client agreed and did not opt out.

    The caller queues ``send_sms_task`` for the message it returns (see ``tasks.queue_messages``).
    """
    config = site_settings(booking.site)
    if not (config and config.sms_enabled and booking.sms_consent and booking.client_phone):
        return None
    if SmsOptOut.is_opted_out(booking.client_phone):
        return None
    # Template date filters convert to the current zone: make that the client's.
    with timezone.override(booking.client_timezone), formats.speaking(booking.language):
        body = render_to_string(f"wagtail_booking/sms/{kind}.txt", {
            "booking": booking, "business_name": business_name(booking.site),
            "local_start": booking.local_start()}).strip()
        if booking.video_link and kind not in ("cancelled", "declined", "meeting_link"):
            body += " " + render_to_string("wagtail_booking/sms/includes/video_link.txt", {"booking": booking}).strip()
    return SmsMessage.objects.create(booking=booking, site_id=booking.site_id, kind=kind, to=booking.client_phone,
                                     body=body)


def deliver_sms(message_id, final_attempt=False):
    """Send one queued text. Raises SmsError when a retry could help and attempts remain."""
    with transaction.atomic():
        message = (SmsMessage.objects.select_for_update(of=("self",)).select_related("booking__site", "site")
                   .filter(pk=message_id).first())
        if message is None or message.provider_id or message.status != SmsMessage.Status.QUEUED:
            return message
        if SmsOptOut.is_opted_out(message.to):
            return _fail(message, "21610", "The client opted out of text messages.")
        stale = _no_longer_wanted(message)
        if stale:
            return _fail(message, "", stale)
        message.attempts += 1
        site = site_of(message)
        callback = site_base_url(site).rstrip("/") + reverse("wagtail_booking:sms-status")
        try:
            result = get_backend().send(message.to, message.body, status_callback=callback)
        except SmsError as error:
            if error.code == get_backend().OPTED_OUT_CODE:
                SmsOptOut.objects.update_or_create(phone=message.to, defaults={"opted_out": True,
                                                                               "reason": "error 21610"})
                return _fail(message, error.code, error.message)
            if not error.retry or final_attempt:
                return _fail(message, error.code, error.message)
            message.error_code, message.error_message = error.code, error.message
            message.save(update_fields=["attempts", "error_code", "error_message", "updated_at"])
            retry = error
        else:
            retry = None
            message.provider_id = result.provider_id
            message.status = _status(result.status) or SmsMessage.Status.QUEUED
            message.error_code = message.error_message = ""
            message.save()
    if retry is not None:
        raise retry  # after the commit, so the attempt is recorded; Huey retries with backoff
    return message


def _no_longer_wanted(message):
    """Re-check before sending: the booking may have changed, or SMS been switched off, since it was queued."""
    booking = message.booking
    config = site_settings(site_of(message))
    if not (config and config.sms_enabled):
        return "Not sent: text messages were switched off."
    if booking is not None and message.kind == "payment_link":
        return "" if payment_links.is_wanted(booking) else "Not sent: the hold ended before the link went out."
    if booking is not None and message.kind.startswith("staff_"):
        return ""  # the business's own people: told about cancellations and problems too
    if booking is not None and message.kind not in ("cancelled", "declined") and booking.status not in (
            Booking.Status.REQUESTED, Booking.Status.CONFIRMED):
        return "Not sent: the booking was cancelled before the message went out."
    return ""


def site_of(message):
    """The business a text is for: its own ``site``, else (texts queued before it was kept) its booking's."""
    if message.site_id is not None:
        return message.site
    return message.booking.site if message.booking else None


def _fail(message, code, text):
    message.status = SmsMessage.Status.FAILED
    message.error_code, message.error_message = code, text
    message.save()
    logger.warning("SMS %s to booking %s failed: %s %s", message.pk, message.booking_id, code, text)
    return message


def _status(provider_status):
    return {"accepted": "queued", "queued": "queued", "sending": "sent", "sent": "sent", "delivered": "delivered",
            "undelivered": "undelivered", "failed": "failed", "read": "delivered"}.get(provider_status, "")


def record_status(provider_id, provider_status, error_code=""):
    """A status callback: move the message forward only (callbacks arrive out of order).

    The caller fetches the price once the message reached a final state (see :func:`needs_price`).
    """
    status = _status(provider_status)
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(provider_id=provider_id).first()
        if message is None or not status:
            return message
        if SmsMessage.RANK[status] <= SmsMessage.RANK[message.status]:
            return message  # stale or repeated callback: never move backwards, the first final state stays
        message.status = status
        if error_code:
            message.error_code = str(error_code)
            if str(error_code) == get_backend().OPTED_OUT_CODE:
                SmsOptOut.objects.update_or_create(phone=message.to, defaults={"opted_out": True,
                                                                               "reason": "error 21610"})
        message.save(update_fields=["status", "error_code", "updated_at"])
    return message


def needs_price(message) -> bool:
    return message is not None and message.status in FINAL and message.price is None


def fetch_price(message_id):
    message = SmsMessage.objects.filter(pk=message_id).first()
    if message is None or not message.provider_id or message.price is not None:
        return message
    result = get_backend().fetch(message.provider_id)
    if result.price is None:
        if message.status in ("sent", "delivered", "undelivered") and not message.provider_id.startswith(
                ("console-", "locmem-")):
            raise SmsError("Twilio has not priced this message yet.")  # the task tries again later
        return message
    message.price, message.price_unit = result.price, result.price_unit
    message.save(update_fields=["price", "price_unit", "updated_at"])
    return message


def record_inbound(phone, body, opt_out_type=""):
    """STOP / START / HELP from a client (Twilio's Advanced Opt-Out sends OptOutType)."""
    keyword = (opt_out_type or body or "").strip().upper()
    if keyword in ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"):
        SmsOptOut.objects.update_or_create(phone=phone, defaults={"opted_out": True, "reason": "replied STOP"})
    elif keyword in ("START", "UNSTOP", "YES"):
        SmsOptOut.objects.update_or_create(phone=phone, defaults={"opted_out": False, "reason": "replied START"})
    return keyword


# Reminders -----------------------------------------------------------------------------------------------------


def lead_minutes(site) -> list[int]:
    """The reminder lead times of ``site``'s business, in minutes, longest first."""
    config = site_settings(site)
    raw = config.reminder_lead_hours if config else "24,1"
    leads = []
    for part in (raw or "").split(","):
        try:
            hours = float(part)
        except ValueError:
            continue
        if hours > 0:
            leads.append(int(hours * 60))
    return sorted(set(leads), reverse=True)


def reminder_id(booking_id, lead, start) -> str:
    """A new id for every (booking, lead, start): Huey keeps revoked ids revoked, so a move needs new ones."""
    return f"wb-reminder-{booking_id}-{lead}-{int(start.timestamp())}"


def sync_reminders(booking_id, previous_start_iso, reminder_task, now=None):
    """Make the scheduled reminders match the booking as it is now (safe to run twice, or out of order).

    Reminders for ``previous_start`` (a move) are revoked; those for the current start are scheduled while the
    booking is confirmed and revoked otherwise.
    """
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return []
    previous = datetime.fromisoformat(previous_start_iso) if previous_start_iso else None
    if previous is not None and previous != booking.start:
        revoke_reminders(booking, previous)
    if booking.status != Booking.Status.CONFIRMED:
        revoke_reminders(booking, booking.start)
        return []
    return schedule_reminders(booking, reminder_task, now)


def schedule_reminders(booking, reminder_task, now=None):
    now = now or timezone.now()
    scheduled = []
    for lead in lead_minutes(booking.site):
        eta = booking.start - timedelta(minutes=lead)
        if eta > now:
            task_id = reminder_id(booking.pk, lead, booking.start)
            # Moved away and back to the same time: lift the earlier revocation. Should the old task run as well,
            # the ReminderSent row still lets only one of them send.
            HUEY.restore_by_id(task_id)
            reminder_task.schedule(args=(booking.pk, lead, booking.start.isoformat()), eta=eta, id=task_id)
            scheduled.append(lead)
    return scheduled


def revoke_reminders(booking, start):
    """Revoke the reminders for ``start`` until a day after it (Huey then forgets the revocation)."""
    for lead in lead_minutes(booking.site):
        HUEY.revoke_by_id(reminder_id(booking.pk, lead, start), revoke_until=start + timedelta(days=1))


def record_reminder(booking_id, lead, start_iso):
    """Re-check, then record the reminder: a second worker's insert fails, so it is sent once.

    Returns ``(outcome, booking)``; the booking only when the caller should queue the messages (in the same
    transaction, so that they exist exactly when the record does).
    """
    booking = Booking.objects.select_related("service", "provider").filter(pk=booking_id).first()
    if booking is None or booking.status != Booking.Status.CONFIRMED:
        return "not confirmed", None
    if booking.start != datetime.fromisoformat(start_iso):
        return "moved", None
    try:
        with transaction.atomic():
            ReminderSent.objects.create(booking=booking, lead_minutes=lead, start=booking.start)
    except IntegrityError:
        return "already sent", None
    return "sent", booking
