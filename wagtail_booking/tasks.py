"""Huey tasks. Each loads by id, re-checks state, and calls a plain function in its subpackage."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .bookings import services
from .bookings.models import Booking
from .notifications.context import business_name, site_base_url
from .notifications.emails import send_booking_email

EMAIL_STATUSES = {"requested": {"requested"}, "confirmed": {"confirmed"}, "rescheduled": {"requested", "confirmed"},
                  "cancelled": {"cancelled"}, "declined": {"declined"}, "approved": {"confirmed"},
                  "reminder": {"confirmed"}}


@db_task(retries=3, retry_delay=60, retry_backoff=2)
def send_booking_email_task(booking_id, kind):
    booking = Booking.objects.select_related("service", "provider").filter(pk=booking_id).first()
    if booking is None or booking.status not in EMAIL_STATUSES[kind]:
        return
    send_booking_email(booking, kind, site_base_url(), business_name())


@db_task(retries=5, retry_delay=30, retry_backoff=2)
def capture_deposit_task(booking_id):
    from .checkout.settlement import capture_deposit

    capture_deposit(booking_id)


@db_task(retries=5, retry_delay=30, retry_backoff=2)
def settle_cancellation_task(booking_id, by):
    from .checkout.settlement import settle_cancellation

    settle_cancellation(booking_id, by)


@db_task(retries=4, retry_delay=15, retry_backoff=2, context=True)
def send_sms_task(message_id, task=None):
    from .notifications.sending import deliver_sms

    deliver_sms(message_id, final_attempt=task is None or task.retries == 0)


@db_task(retries=5, retry_delay=120, retry_backoff=2)
def fetch_sms_price_task(message_id):
    from .notifications.sending import fetch_price

    fetch_price(message_id)


@db_task()
def send_reminder_task(booking_id, lead_minutes, start_iso):
    from .notifications.sending import send_reminder

    return send_reminder(booking_id, lead_minutes, start_iso)


@db_task(retries=3, retry_delay=60, retry_backoff=2)
def issue_payment_documents_task(payment_id):
    from .reports.jobs import issue_payment_documents

    issue_payment_documents(payment_id)


@db_task(retries=2, retry_delay=60)
def build_revenue_report_task(report_id):
    from .reports.jobs import build_report

    build_report(report_id)


@db_periodic_task(crontab(day="1", hour="6", minute="0"))
def monthly_revenue_report_task():
    from .reports.jobs import send_monthly_report

    send_monthly_report()


@db_periodic_task(crontab(minute="17"))
def capture_ageing_authorisations_task():
    from .checkout.settlement import capture_ageing_authorisations

    return capture_ageing_authorisations()


@db_periodic_task(crontab(minute="*/5"))
def delete_expired_holds_task():
    return services.delete_expired_holds()


@db_task(retries=4, retry_delay=60, retry_backoff=2)
def google_sync_task(connection_id, calendar_pk=None):
    from .sync.sync import sync_connection

    return sync_connection(connection_id, calendar_pk)


@db_task(retries=5, retry_delay=30, retry_backoff=2)
def google_write_back_task(booking_id):
    from .sync.writeback import write_back

    return write_back(booking_id)


@db_periodic_task(crontab(minute="*/15"))
def google_poll_task():
    from .sync.sync import poll_all

    return poll_all()
