"""Huey tasks for emails, texts and reminders. Each loads by id, re-checks state, and calls ``sending``/``emails``."""

from datetime import date

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ..bookings.models import Booking
from ..checkout.models import BookingPayment
from ..outbox import durable_task, enqueue
from ..snippets.models import Provider
from . import agenda, balance, fee_emails, payment_links, sending, staff
from .context import business_name, site_base_url
from .emails import send_booking_email, send_invoice_email
from .models import SmsMessage

EMAIL_STATUSES = {"requested": {"requested"}, "confirmed": {"confirmed"}, "rescheduled": {"requested", "confirmed"},
                  "cancelled": {"cancelled"}, "declined": {"declined"}, "approved": {"confirmed"},
                  "reminder": {"confirmed"}, "meeting_link": {"confirmed"}}


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def send_booking_email_task(booking_id, kind):
    booking = Booking.objects.select_related("service", "provider", "site").filter(pk=booking_id).first()
    if booking is None or booking.status not in EMAIL_STATUSES[kind]:
        return
    if send_booking_email(booking, kind, site_base_url(booking.site), business_name(booking.site)):
        enqueue(send_invoice_email_task, booking.pk)


@durable_task(retries=6, retry_delay=300, retry_backoff=2)
def send_invoice_email_task(booking_id):
    booking = Booking.objects.select_related("service", "provider").filter(pk=booking_id).first()
    if booking is not None:
        send_invoice_email(booking, site_base_url(booking.site), business_name(booking.site))


@durable_task(retries=4, retry_delay=15, retry_backoff=2, pass_final_attempt=True)
def send_sms_task(message_id, final_attempt=False):
    sending.deliver_sms(message_id, final_attempt=final_attempt)


@db_task(retries=5, retry_delay=120, retry_backoff=2)
def fetch_sms_price_task(message_id):
    sending.fetch_price(message_id)


@durable_task(retries=5, retry_delay=30, retry_backoff=2)
def sync_reminders_task(booking_id, previous_start_iso=None):
    sending.sync_reminders(booking_id, previous_start_iso, send_reminder_task)


@db_task()
def send_reminder_task(booking_id, lead_minutes, start_iso):
    with transaction.atomic():
        outcome, booking = sending.record_reminder(booking_id, lead_minutes, start_iso)
        if booking is not None:
            queue_messages(booking, "reminder", lead_minutes)
    return outcome


def queue_messages(booking, kind, lead_minutes=None):
    """Record the email and (where the client agreed) the text for ``kind``; both go out after the commit."""
    enqueue(send_booking_email_task, booking.pk, kind)
    message = sending.queue_sms(booking, kind, lead_minutes)
    if message is not None:
        enqueue(send_sms_task, message.pk)


@durable_task(retries=3, retry_delay=30, retry_backoff=2)
def send_payment_link_email_task(booking_id):
    booking = Booking.objects.select_related("service", "provider", "site").filter(pk=booking_id).first()
    if payment_links.is_wanted(booking):  # a hold that was paid, cancelled or expired meanwhile needs no link
        payment_links.send_email(booking)


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def send_fee_authentication_email_task(fee_id):
    fee_emails.send_authentication_email(fee_id)


def queue_payment_link(booking, channel):
    """Record the hold's payment link for ``channel`` ("sms" or "email"); it goes out after the commit.

    The caller checks ``payment_links.sms_problem`` first: a text is recorded here as asked.
    """
    if channel == "email":
        enqueue(send_payment_link_email_task, booking.pk)
        return
    message = SmsMessage.objects.create(booking=booking, site_id=booking.site_id, kind="payment_link",
                                        to=booking.client_phone, body=payment_links.sms_body(booking))
    enqueue(send_sms_task, message.pk)


# Staff: the provider and the owners (notifications.staff, notifications.agenda) -----------------------------------

# The statuses in which a staff email still says something true when it goes out (None: any status).
STAFF_STATUSES = {"booked": {"confirmed", "completed", "no_show"}, "requested": {"requested"},
                  "cancelled": {"cancelled"}, "rescheduled": {"requested", "confirmed"}, "payment_failed": None}


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def send_staff_email_task(booking_id, event, to, zone, detail=""):
    booking = Booking.objects.select_related("service", "provider", "site").filter(pk=booking_id).first()
    wanted = STAFF_STATUSES[event]
    if booking is None or (wanted is not None and booking.status not in wanted):
        return
    staff.send_email(booking, event, to, zone, detail)


def queue_staff_messages(booking, event, detail=""):
    """Record the staff emails (and the provider's text) about ``event``; they go out after the commit."""
    for address, zone in staff.email_recipients(booking, event):
        enqueue(send_staff_email_task, booking.pk, event, address, zone, detail)
    message = staff.queue_sms(booking, event, detail)
    if message is not None:
        enqueue(send_sms_task, message.pk)


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def send_agenda_task(provider_id, day_iso):
    provider = Provider.objects.select_related("site").filter(pk=provider_id, active=True).first()
    if provider is not None and provider.email:
        agenda.send_agenda(provider, date.fromisoformat(day_iso))


@db_periodic_task(crontab(minute="*/15"))
def agenda_sweep_task():
    return agenda.queue_due(send_agenda_task)


# The balance after a visit (notifications.balance) -----------------------------------------------------------------


@durable_task(retries=3, retry_delay=30, retry_backoff=2)
def send_balance_link_email_task(booking_id):
    booking = Booking.objects.select_related("service", "provider", "site").filter(pk=booking_id).first()
    if booking is not None:
        balance.send_link_email(booking)


def queue_balance_link(booking, channel):
    """Record the balance link for ``channel`` ("sms" or "email"); it goes out after the commit. The caller
    checks ``payment_links.sms_problem`` first."""
    if channel == "email":
        enqueue(send_balance_link_email_task, booking.pk)
        return
    message = SmsMessage.objects.create(booking=booking, site_id=booking.site_id, kind="balance_link",
                                        to=booking.client_phone, body=balance.sms_body(booking))
    enqueue(send_sms_task, message.pk)


@durable_task(retries=3, retry_delay=60, retry_backoff=2)
def send_balance_receipt_task(payment_id):
    payment = BookingPayment.objects.select_related("booking__service", "booking__site").filter(pk=payment_id).first()
    if payment is not None and payment.booking_id is not None:
        balance.send_receipt(payment.booking, payment)
