"""A booking's history, kept with Wagtail's log entries (``ModelLogEntry``): who changed it, when, and what.

:func:`record` is called where the change is made (``services``, the checkout's payment recording), inside the
same transaction: the entry exists exactly when the change does. Who: the staff user when the change happens in the
admin (Wagtail's ``LogContext`` names the user), otherwise ``by`` says "client" or "system"; it is kept in the
entry's ``data`` so that a client's change is not shown as Wagtail's "system".
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter, log

from ..formats import money, when
from ..site_settings import business_zone

PREFIX = "wagtail_booking."
BY_CLIENT, BY_STAFF, BY_SYSTEM = "client", "staff", "system"


class BookingFormatter(LogFormatter):
    """What happened, in words; details (times, amounts) come from the entry's data."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        zone = data.get("zone")
        if "amount" in data:
            return f"{self.message}: {money(data['amount'], data.get('currency') or None)}"
        if "previous_start" in data:
            return _("%(message)s from %(before)s to %(after)s") % {
                "message": self.message, "before": when(_moment(data["previous_start"]), zone),
                "after": when(_moment(data.get("start")), zone)}
        return str(self.message)


ACTIONS = {
    "created": (_("Created"), _("Booked")),
    "held": (_("Held"), _("Time held while the client pays")),
    "requested": (_("Requested"), _("Request received, awaiting approval")),
    "confirmed": (_("Confirmed"), _("Confirmed")),
    "approved": (_("Approved"), _("Request approved")),
    "declined": (_("Declined"), _("Request declined")),
    "cancelled": (_("Cancelled"), _("Cancelled")),
    "rescheduled": (_("Rescheduled"), _("Moved")),
    "no_show": (_("No-show"), _("Marked as no-show")),
    "completed": (_("Completed"), _("Marked completed")),
    "expired": (_("Hold expired"), _("The hold expired before payment")),
    "paid": (_("Payment received"), _("Payment received")),
    "refunded": (_("Refunded"), _("Refunded")),
    "fee_charged": (_("Fee charged"), _("Fee charged to the card on file")),
    "fee_failed": (_("Fee not charged"), _("Fee not charged to the card on file")),
    "balance_requested": (_("Balance requested"), _("Balance link sent")),
    "reserved": (_("Reserved"), _("Kept for the client until its deposit is due")),
    "deposit_lapsed": (_("Deposit not paid"), _("Released: its deposit was not paid in time")),
    "deposit_refused": (_("Deposit not charged"), _("Deposit not charged to the card kept for the series")),
}


def register_log_actions(actions):
    """Called by Wagtail's ``register_log_actions`` hook (``wagtail_hooks``)."""
    for name, (label, message) in ACTIONS.items():
        actions.register_action(PREFIX + name)(type(f"{name.title()}Formatter", (BookingFormatter,),
                                                    {"label": label, "message": message}))


def record(booking, action: str, by: str = BY_SYSTEM, **data):
    """Log ``action`` on ``booking`` in the caller's transaction. ``data`` holds JSON values (times as ISO)."""
    data = {"by": by, "zone": business_zone(booking.site), **{
        key: value.isoformat() if isinstance(value, datetime) else value for key, value in data.items()}}
    return log(booking, PREFIX + action, data=data, title=booking.reference, content_changed=True)


def who(entry) -> str:
    """The staff user's name, "the client", or "system"."""
    if entry.user_id:
        return entry.user_display_name
    by = (entry.data or {}).get("by")
    return {BY_CLIENT: gettext("the client"), BY_STAFF: gettext("staff")}.get(by, gettext("system"))


def _moment(value):
    return datetime.fromisoformat(value) if value else None
