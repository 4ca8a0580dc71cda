"""What the booking's page shows, in words a person reads: answers, history, payments, documents, messages, and
the actions it offers with what each would mean for the client.

Every moment is shown in the business's zone with the zone named (``formats.when``), every amount through
``formats.money``; booleans are "Yes"/"No" and an empty answer is "—".
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import ModelLogEntry

from .. import formats
from ..bookings import history, series_payments
from ..bookings import series as booking_series
from ..bookings.models import Booking
from ..checkout import facade, fees
from ..checkout.card_models import FeeCharge, SavedCard
from ..formats import money, when
from ..notifications.models import SmsMessage
from ..outbox.models import OutboxMessage
from . import balance

EMPTY = "—"
EMAIL_TASKS = {
    "wagtail_booking.notifications.tasks.send_booking_email_task": _("Email"),
    "wagtail_booking.notifications.tasks.send_invoice_email_task": _("Email with the invoice"),
    "wagtail_booking.notifications.tasks.send_payment_link_email_task": _("Email with the payment link"),
    "wagtail_booking.notifications.tasks.send_balance_link_email_task": _("Email with the balance link"),
}
MESSAGE_KINDS = {
    "requested": _("Request received"), "confirmed": _("Booking confirmed"), "approved": _("Request approved"),
    "declined": _("Request declined"), "cancelled": _("Booking cancelled"), "rescheduled": _("Booking moved"),
    "reminder": _("Reminder"), "payment_link": _("Payment link"), "balance_link": _("Balance link"),
}


def answer_text(value) -> str:
    """An intake answer as a person reads it: "Yes"/"No", a list joined with commas, "—" when not answered."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def yes_no(value) -> str:
    return gettext("Yes") if value else gettext("No")


@dataclass(frozen=True)
class HistoryLine:
    when: str
    who: str
    what: str


def history_lines(booking, zone) -> list[HistoryLine]:
    """The booking's log entries, oldest first (a page reads top to bottom as the booking's story)."""
    entries = ModelLogEntry.objects.for_instance(booking).select_related("user").order_by("timestamp", "pk")
    return [HistoryLine(when(entry.timestamp, zone), history.who(entry), entry.message) for entry in entries]


@dataclass(frozen=True)
class SentMessage:
    when: str
    channel: str
    what: str
    to: str
    status: str
    failed: bool


def messages_sent(booking, zone) -> list[SentMessage]:
    """The emails (from the outbox, which records each one the booking caused) and texts, newest first."""
    rows = []
    emails = OutboxMessage.objects.filter(task__in=EMAIL_TASKS, args__0=booking.pk)
    for message in emails:
        kind = message.args[1] if len(message.args) > 1 else (
            "balance_link" if message.task.endswith("balance_link_email_task") else "")
        what = MESSAGE_KINDS.get(kind, _("Invoice") if message.task.endswith("invoice_email_task") else
                                 _("Payment link") if message.task.endswith("payment_link_email_task") else kind)
        rows.append((message.created_at, SentMessage(
            when(message.created_at, zone), str(EMAIL_TASKS[message.task]), str(what), booking.client_email,
            *_email_status(message))))
    for text in SmsMessage.objects.filter(booking=booking):
        failed = text.status in (SmsMessage.Status.FAILED, SmsMessage.Status.UNDELIVERED)
        status = text.get_status_display() + (f": {text.error_message or text.error_code}" if failed and (
            text.error_message or text.error_code) else "")
        rows.append((text.created_at, SentMessage(when(text.created_at, zone), gettext("Text message"),
                                                  str(MESSAGE_KINDS.get(text.kind, text.kind)), text.to, status,
                                                  failed)))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0], reverse=True)]


def _email_status(message) -> tuple[str, bool]:
    if message.delivered_at:
        return gettext("Sent"), False
    if message.failed_at:
        return gettext("Failed: %(error)s") % {"error": message.last_error or EMPTY}, True
    if message.last_error:
        return gettext("Trying again (last error: %(error)s)") % {"error": message.last_error}, False
    return gettext("Waiting to be sent"), False


@dataclass(frozen=True)
class PaymentLine:
    payment: object
    state: str
    amount: str
    captured: str
    refunded: str
    refundable: str
    card: str
    created: str


def payment_lines(payments, zone) -> list[PaymentLine]:
    lines = []
    for p in payments:
        card = " ".join(part for part in (p.card_brand.title(), f"•••• {p.card_last4}" if p.card_last4 else "")
                        if part)
        lines.append(PaymentLine(p, p.get_state_display(), money(p.amount, p.currency),
                                 money(p.amount_captured, p.currency), money(p.amount_refunded, p.currency),
                                 money(p.refundable, p.currency), card, when(p.created_at, zone)))
    return lines


def card_on_file(booking) -> dict | None:
    """The card the client agreed to keep on file (or why there is none), the consent and the fees chargeable."""
    card = booking.saved_cards.order_by("-pk").first()
    if card is None:
        return None
    return {"card": card.description or EMPTY, "state": card.get_state_display(),
            "failed": card.state == SavedCard.State.FAILED, "problem": card.problem,
            "consent": card.consent_text, "consent_at": when(card.consent_at, booking.business_zone),
            "fees": [(reason, label, money(fees.quote(booking, reason), booking.currency or None),
                      fees.refusal(booking, reason)) for reason, label in FeeCharge.Reason.choices]}


# The page itself --------------------------------------------------------------------------------------------------

ACTION_LABELS = {"approve": _("Approve"), "decline": _("Decline"), "cancel": _("Cancel booking"),
                 "completed": _("Mark completed"), "no_show": _("Mark no-show"),
                 "cancel_following": _("Cancel this and all later in the series")}
# These change money or tell the client bad news: a page first says what will happen, then staff confirm.
CONFIRMED_ACTIONS = {"cancel", "decline", "no_show", "cancel_following"}
OUTCOMES = {"completed", "no_show"}
ACTIONS_BY_STATUS = {
    Booking.Status.REQUESTED: ["approve", "decline", "cancel", "cancel_following"],
    Booking.Status.CONFIRMED: ["completed", "no_show", "cancel", "cancel_following"],
    Booking.Status.HELD: ["cancel"],
}


def actions_for(booking, now=None):
    """The actions the booking allows now: outcomes only once the appointment has started."""
    started = booking.start <= (now or timezone.now())
    return [name for name in ACTIONS_BY_STATUS.get(booking.status, []) if (started or name not in OUTCOMES)
            and (name != "cancel_following" or len(booking_series.following(booking)) > 1)]


def consequence(booking, action) -> str:
    """What an action means for the client and their money, said before staff confirm it."""
    if action == "cancel_following":
        later = booking_series.following(booking)
        each = " ".join(f"{formats.when(row.start, booking.business_zone)}: {consequence(row, 'cancel')}"
                        for row in later)
        return _("%(count)s appointments are cancelled, each as if cancelled on its own. %(each)s") % {
            "count": len(later), "each": each}
    payment = facade.paid_payment(booking)
    money = (lambda amount: formats.money(amount, payment.currency)) if payment else str
    if action == "no_show":
        return (_("The client is recorded as not having come. The deposit of %(amount)s is kept.")
                % {"amount": money(payment.amount)} if payment else
                _("The client is recorded as not having come. There is no payment to keep or refund."))
    told = _("The client is told by email.")
    if payment is None:
        return f"{_('There is no payment to refund.')} {told}"
    if payment.state == "authorised":
        return _("The %(amount)s held on the client's card is released; nothing is charged. %(told)s") % {
            "amount": money(payment.amount), "told": told}
    refund = facade.refund_quote(booking, by="staff", payment=payment)
    return _("The client gets %(amount)s back on their card: when the business cancels or declines, the whole "
             "deposit is refunded. %(told)s") % {"amount": money(refund), "told": told}


def series_rows(booking, zone, inspect_url_name) -> list[tuple]:
    """The occurrences of the booking's series: (when, status, its page's URL or None for this one, its room)."""
    if booking.series_id is None:
        return []
    rows = booking.series.bookings.order_by("start").select_related("resource")
    return [(formats.when(row.start, zone), series_payments.status_words(row, zone),
             None if row.pk == booking.pk else reverse(inspect_url_name, args=[row.pk]), row.resource)
            for row in rows]


def series_url(booking) -> str:
    """The "Book a series" form filled in from this booking: same service, provider, client and time."""
    local = booking.start.astimezone(ZoneInfo(booking.business_zone))
    query = urlencode({"service": booking.service_id, "provider": booking.provider_id,
                       "start": local.strftime("%Y-%m-%dT%H:%M"), "client_name": booking.client_name,
                       "client_email": booking.client_email, "client_phone": booking.client_phone,
                       "client_timezone": booking.client_timezone})
    return f"{reverse('wagtail_booking_series_new')}?{query}"


def class_session(booking) -> dict | None:
    """For a seat booking: its session in words ("5 of 12 seats taken", or why it was cancelled) and the other
    live bookings in it, each with its link; None for a one-to-one booking."""
    session = booking.session
    if session is None:
        return None
    if session.status == session.Status.SCHEDULED:
        text = ngettext("%(taken)s of %(capacity)s seat taken", "%(taken)s of %(capacity)s seats taken",
                        session.seats_taken) % {"taken": session.seats_taken, "capacity": session.capacity}
    else:
        reason = (_("too few seats booked by the cut-off") if session.cancelled_for_attendance
                  else session.cancelled_reason or _("no reason given"))
        text = _("Cancelled: %(reason)s") % {"reason": reason}
    others = (session.bookings.filter(status__in=Booking.BLOCKING_STATUSES).exclude(pk=booking.pk)
              .order_by("client_name", "pk").values_list("pk", "client_name", "seats"))
    inspect = reverse("wagtail_booking_bookings:inspect", args=[0]).replace("/0/", "/{}/")
    return {"text": text, "others": [
        {"url": inspect.format(pk), "text": ngettext("%(name)s (%(seats)s seat)", "%(name)s (%(seats)s seats)",
                                                     seats) % {"name": name, "seats": seats}}
        for pk, name, seats in others]}


def page_context(booking, user, action_url_name) -> dict:
    """Everything the booking's page shows, for a user who may (or may not) manage bookings."""
    zone = booking.business_zone
    can_manage = user.has_perm("wagtail_booking.manage_bookings")
    payments = list(booking.payments.select_related("order").order_by("created_at", "pk"))

    def url(name, *args):
        return reverse(action_url_name.replace(":action", f":{name}") if name else action_url_name,
                       args=[booking.pk, *args])

    return {
        "booking": booking,
        "zone": zone,
        "when": formats.span(booking.start, booking.end, zone),
        "provider_when": formats.when(booking.start, booking.provider.timezone),
        "client_when": formats.when(booking.start, booking.client_timezone),
        "created": formats.when(booking.created_at, zone),
        "sms_consent": yes_no(booking.sms_consent),
        "price": formats.money(booking.price_with_tax, booking.currency or None),
        "deposit": formats.money(booking.deposit_with_tax, booking.currency or None),
        "answers": [(answer.get("label") or answer.get("field"), answer_text(answer.get("value")))
                    for answer in booking.intake_answers or []],
        "actions": [(name, ACTION_LABELS[name], url(None, name), name in CONFIRMED_ACTIONS)
                    for name in actions_for(booking)] if can_manage else [],
        "payments": payment_lines(payments, zone),
        "refund_url": url("refund"),
        "card_on_file": card_on_file(booking),
        "fee_url": url("fee", "REASON"),
        "balance": balance.summary(booking),
        "balance_url": url("balance"),
        "series_url": series_url(booking) if can_manage else None,
        "series_move_url": reverse("wagtail_booking_series_move", args=[booking.pk])
        if can_manage and "cancel_following" in actions_for(booking) else None,
        "series_rows": series_rows(booking, zone, action_url_name.replace(":action", ":inspect")),
        "can_manage": can_manage,
        "documents": [(doc, formats.money(doc.amount, doc.currency), formats.when(doc.issued_at, zone))
                      for doc in booking.invoices.defer("pdf").order_by("issued_at", "pk")],
        "class_session": class_session(booking),
        "history": history_lines(booking, zone),
        "messages_sent": messages_sent(booking, zone),
    }
