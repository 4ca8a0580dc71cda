"""Huey discovers tasks here; each lives in the ``tasks`` module of the subpackage that owns it.

Tasks load by id, re-check state, and call a plain function of their subpackage. Side effects of a booking change
are queued through the outbox (``wagtail_booking.outbox``), so a broker outage only delays them.
"""

from .bookings.tasks import cancel_short_sessions_task, delete_expired_holds_task
from .checkout.tasks import (
    capture_ageing_authorisations_task,
    capture_deposit_task,
    charge_series_deposits_task,
    settle_cancellation_task,
)
from .clients.tasks import purge_access_links_task, send_access_link_task
from .giftcards.tasks import release_abandoned_gift_card_holds_task
from .health import health_heartbeat_task
from .notifications.series_deposits import send_series_deposit_email_task, series_deposit_sweep_task
from .notifications.tasks import (
    agenda_sweep_task,
    fetch_sms_price_task,
    send_agenda_task,
    send_balance_link_email_task,
    send_balance_receipt_task,
    send_booking_email_task,
    send_invoice_email_task,
    send_reminder_task,
    send_sms_task,
    send_staff_email_task,
    sync_reminders_task,
)
from .notifications.waitlist import send_waitlist_joined_task, send_waitlist_offer_task
from .outbox.tasks import outbox_purge_task, outbox_sweep_task
from .packages.tasks import expire_credits_task, send_purchase_email_task
from .reports.tasks import build_revenue_report_task, issue_payment_documents_task, monthly_revenue_report_task
from .sync.tasks import (
    calendar_poll_task,
    calendar_sync_task,
    calendar_write_back_task,
    google_sync_task,
    google_write_back_task,
)
from .waitlist.tasks import offer_free_places_task, waitlist_sweep_task
from .webhooks.tasks import (
    deliver_webhook_task,
    send_webhook_task,
    webhook_disabled_email_task,
    webhook_purge_task,
    webhook_sweep_task,
)

__all__ = [
    "build_revenue_report_task", "capture_ageing_authorisations_task", "capture_deposit_task",
    "delete_expired_holds_task", "fetch_sms_price_task", "calendar_poll_task", "calendar_sync_task",
    "calendar_write_back_task", "google_sync_task",
    "google_write_back_task", "issue_payment_documents_task", "monthly_revenue_report_task", "outbox_purge_task",
    "outbox_sweep_task", "send_booking_email_task", "send_invoice_email_task", "send_reminder_task", "send_sms_task",
    "settle_cancellation_task", "sync_reminders_task",
    "health_heartbeat_task", "deliver_webhook_task", "send_webhook_task", "webhook_disabled_email_task",
    "webhook_purge_task", "webhook_sweep_task",
]
__all__ += ["purge_access_links_task", "send_access_link_task"]
__all__ += ["agenda_sweep_task", "send_agenda_task", "send_staff_email_task"]
__all__ += ["expire_credits_task", "send_purchase_email_task"]
__all__ += ["release_abandoned_gift_card_holds_task"]
__all__ += ["cancel_short_sessions_task"]
__all__ += ["send_balance_link_email_task", "send_balance_receipt_task"]
__all__ += ["offer_free_places_task", "send_waitlist_joined_task", "send_waitlist_offer_task", "waitlist_sweep_task"]
__all__ += ["send_series_deposit_email_task", "series_deposit_sweep_task"]
__all__ += ["charge_series_deposits_task"]
