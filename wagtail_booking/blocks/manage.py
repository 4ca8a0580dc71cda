"""The client's manage page: cancel or move after a confirmation step that states the refund, the refund said
again once done, and the business's contact details instead of actions once online changes have closed.

Every step is a plain form POST with CSRF, so it works without JavaScript. The confirmation renders the same page
with the question; only a POST carrying ``confirm=yes`` changes the booking (the services lock it and re-check).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..bookings import series as booking_series
from ..bookings import series_payments, services
from ..bookings.models import Booking
from ..checkout import facade
from ..checkout.balances import links as balance_links
from ..checkout.balances import services as balances
from ..checkout.handoff import get_payment_handoff
from ..checkout.policy_words import cancelled_refund_text, card_words, when
from ..formats import money
from ..packages import credits
from ..site_settings import site_settings
from ..throttling import rate_limited
from .forms import parse_slot
from .series import series_rows
from .views import booking_context, booking_for_token, reschedule_times

LIVE = (Booking.Status.CONFIRMED, Booking.Status.REQUESTED)


@require_http_methods(["GET", "POST"])
@rate_limited("write")
def manage(request, reference, token):
    booking = booking_for_token(request, reference, token)
    context, status = {}, 200
    if request.method == "POST":
        try:
            context.update(_change(request, booking))
        except services.BookingError as error:
            context["error"] = error.message
            status = error.status_code
    context.update(booking_context(booking, token))
    context.update(_page(request, booking, showing_question="confirm" in context))
    context.update(_balance(booking))
    context["series_rows"] = series_rows(booking, booking.client_timezone)
    context.update(_series_deposit(request, booking))
    return render(request, "wagtail_booking/manage.html", context, status=status)


def _series_deposit(request, booking) -> dict:
    """A series' later appointment waiting for its deposit: how much, by when, and the link to pay it."""
    if series_payments.awaits_deposit(booking):
        if booking.deposit_step == series_payments.CHARGING:  # a series paid up front, charging it right now
            return {"awaiting_deposit": True, "deposit_charging": True}
        return {"awaiting_deposit": True, "deposit_amount": money(booking.deposit_with_tax, booking.currency),
                "deposit_due_by": when(booking.hold_expires_at, booking.client_timezone),
                "pay_url": get_payment_handoff().checkout_url(booking, request)}
    if booking.deposit_step == series_payments.LAPSED:
        return {"deposit_lapsed": True}
    return {}


def _is_open(booking) -> bool:
    return booking.status in LIVE or series_payments.awaits_deposit(booking)


def _balance(booking) -> dict:
    """After the appointment: what is left to pay (with the link to pay it) or that it is paid in full."""
    if not balances.can_request(booking):
        return {}
    bill = balances.balance_of(booking)
    return {"balance_due": money(bill.due, booking.currency or None), "balance_paid_in_full": bill.paid_in_full,
            "balance_url": balance_links.balance_path(booking)}


def _change(request, booking) -> dict:
    """Ask first (``confirm`` in the answer), then act on ``confirm=yes``."""
    action, confirmed = request.POST.get("action"), request.POST.get("confirm") == "yes"
    if request.POST.get("following") == "yes" and booking.series_id is not None:
        return _change_following(request, booking, action, confirmed)
    if action == "cancel":
        if not confirmed:
            _require_open(booking)
            return {"confirm": "cancel", "refund_text": _refund_text(booking)}
        waiting = series_payments.awaits_deposit(booking)
        services.cancel(booking, by="client")
        if waiting:
            return {"message": _("This appointment is cancelled. Nothing was paid for it, so there is nothing to "
                                 "refund.")}
        return {"message": _("Your booking is cancelled. We have sent you an email.")}
    if action == "reschedule":
        raw = request.POST.get("slot", "")
        try:
            start, _provider = parse_slot(raw)
        except ValidationError as error:
            raise services.BookingError(" ".join(error.messages), field="slot") from error
        if not confirmed:
            _require_open(booking)
            return {"confirm": "move", "new_slot": raw, "new_start": when(start, booking.client_timezone),
                    "move_refund_text": _move_refund_text(booking, start)}
        services.reschedule(booking, start, by="client")
        return {"message": _("Your booking has been moved. We have sent you an email.")}
    raise services.BookingError(_("Choose to cancel or to move the booking."), field="action")


def _change_following(request, booking, action, confirmed) -> dict:
    """This occurrence and the later ones of its series: each cancelled or moved as a single booking would be."""
    later = len(booking_series.following(booking)) - 1
    if action == "cancel":
        if not confirmed:
            _require_open(booking)
            return {"confirm": "cancel", "following": True, "later_count": later, "refund_text": _refund_text(booking)}
        booking_series.cancel(booking, and_following=True, by="client")
        return {"message": _("This appointment and the later ones of the series are cancelled. We have sent you an "
                             "email for each.")}
    if action == "reschedule":
        try:
            start, _provider = parse_slot(request.POST.get("slot", ""))
        except ValidationError as error:
            raise services.BookingError(" ".join(error.messages), field="slot") from error
        if not confirmed:
            _require_open(booking)
            return {"confirm": "move", "following": True, "later_count": later, "new_slot": request.POST["slot"],
                    "new_start": when(start, booking.client_timezone),
                    "move_refund_text": _move_refund_text(booking, start)}
        booking_series.move(booking, start, and_following=True, by="client")
        return {"message": _("This appointment and the later ones of the series have been moved. We have sent you "
                             "an email for each.")}
    raise services.BookingError(_("Choose to cancel or to move the booking."), field="action")


def _require_open(booking):
    """The services' own refusals, said before the client is asked to confirm something that would fail."""
    if not _is_open(booking):
        raise services.NotAllowed(_("This booking is %(status)s and cannot be changed.")
                                  % {"status": booking.get_status_display().lower()})
    if _changes_closed(booking):
        raise services.NotAllowed(_("Online changes have closed for this booking; please contact us."))


def _changes_closed(booking, now=None) -> bool:
    return (now or timezone.now()) > booking.start - booking.service.cancellation_cutoff


def _page(request, booking, showing_question=False) -> dict:
    """What the page shows besides the question: the actions, the contact block, or the refund of a cancellation."""
    page = {}
    if _is_open(booking) and _changes_closed(booking):
        config = site_settings(booking.site)
        page.update({"changes_closed_at": when(booking.start - booking.service.cancellation_cutoff,
                                               booking.client_timezone),
                     "contact_phone": config.contact_phone if config else "",
                     "contact_email": config.contact_email if config else ""})
    elif _is_open(booking) and not showing_question:
        page["reschedule_times"] = reschedule_times(request, booking)
        if facade.paid_payment(booking) is not None:
            page["refund_text"] = _refund_text(booking)
        elif credits.paid_by_credit(booking) is not None:
            page["refund_text"] = _credit_text(booking)
    if booking.status == Booking.Status.CANCELLED:
        page["cancelled_refund_text"] = cancelled_refund_text(booking)
    return page


def _refund_text(booking) -> str:
    """What cancelling now would give back, in a sentence."""
    payment = facade.paid_payment(booking)
    if payment is None:
        return _("Nothing was paid, so there is nothing to refund.")
    amount = facade.refund_quote(booking, payment=payment)
    if amount <= 0:
        return _("Under our cancellation policy, cancelling now refunds nothing of your %(paid)s deposit.") % {
            "paid": money(payment.amount, payment.currency)}
    return _("Cancelling now refunds %(amount)s of your %(paid)s deposit to %(card)s.") % {
        "amount": money(amount, payment.currency), "paid": money(payment.amount, payment.currency),
        "card": card_words(payment)}


def _credit_text(booking) -> str:
    """What cancelling now does to the package credit that paid for the booking (the rule cancelling applies)."""
    notice_hours = (booking.start - timezone.now()).total_seconds() / 3600
    if credits.credit_comes_back("client", facade.policy_for(booking.service).percent_for(notice_hours)):
        return _("Cancelling now returns your credit to your package.")
    return _("Under our cancellation policy, cancelling now uses up your package credit.")


def _move_refund_text(booking, new_start) -> str:
    """How the move changes what a later cancellation would give back (nothing to say when nothing was paid)."""
    payment = facade.paid_payment(booking)
    if payment is None:
        return ""
    before = facade.refund_quote(booking, payment=payment)
    after = facade.refund_quote(booking, payment=payment, start=new_start)
    if before == after:
        return _("After this move, cancelling would still refund %(amount)s.") % {
            "amount": money(after, payment.currency)}
    return _("After this move, cancelling would refund %(after)s instead of %(before)s.") % {
        "after": money(after, payment.currency), "before": money(before, payment.currency)}

