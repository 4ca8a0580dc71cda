"""Staff charge a late-cancellation or no-show fee to the card on file: a confirmation page, then one try."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import formats
from ..bookings.models import Booking
from ..businesses import visible_to
from ..checkout import fees
from ..checkout.card_models import FeeCharge

REASONS = dict(FeeCharge.Reason.choices)
TITLES = {"late_cancellation": gettext_lazy("Charge the late-cancellation fee"),
          "no_show": gettext_lazy("Charge the no-show fee")}


def fee_view(viewset, request, pk, reason):
    """GET: what will be charged, to which card; POST (with the number of tries seen): charge it once."""
    if not request.user.has_perm("wagtail_booking.manage_bookings"):
        raise PermissionDenied
    if reason not in REASONS:
        raise Http404("No such fee.")
    booking = get_object_or_404(visible_to(Booking.objects.select_related("service", "provider"), request.user),
                                pk=pk)
    back = reverse(viewset.get_url_name("inspect"), args=[booking.pk])
    fee = FeeCharge.objects.filter(booking=booking, reason=reason).select_related("saved_card", "payment").first()
    if request.method == "GET":
        problem = fees.refusal(booking, reason)
        if problem:
            messages.error(request, problem)
            return redirect(back)
        return _confirm(request, booking, reason, fee, back)
    try:
        seen = int(request.POST.get("attempts", ""))
    except ValueError:
        messages.error(request, _("The form was incomplete: open the fee again from the booking's page."))
        return redirect(back)
    try:
        fee = fee or fees.prepare(booking, reason, user=request.user)
        outcome = fees.charge(fee, seen)
    except fees.PaymentProblem as problem:
        messages.error(request, problem.message)
        return redirect(back)
    _tell(request, outcome)
    return redirect(back)


def _confirm(request, booking, reason, fee, back):
    amount = fee.amount if fee is not None else fees.quote(booking, reason)
    card = fee.saved_card if fee is not None else fees.usable_card(booking)
    currency = booking.currency or None
    text = _("Charge %(amount)s to %(card)s (kept on file with the client's consent)? An invoice is issued "
             "once it is paid.") % {"amount": formats.money(amount, currency), "card": card.description}
    if fee is not None and fee.attempts:
        text += " " + _("Tried %(count)s time(s) before: %(problem)s") % {
            "count": fee.attempts, "problem": fee.payment.problem if fee.payment else ""}
    return TemplateResponse(request, "wagtail_booking/admin/booking_confirm.html", {
        "page_title": TITLES[reason], "header_icon": "date", "booking": booking, "action_url": request.path,
        "consequence": text, "fields": {"attempts": fee.attempts if fee is not None else 0}, "back_url": back})


def _tell(request, outcome):
    amount = formats.money(outcome.fee.amount, outcome.fee.currency)
    if outcome.kind == "paid":
        messages.success(request, _("%(fee)s of %(amount)s charged.") % {
            "fee": outcome.fee.get_reason_display(), "amount": amount})
    elif outcome.kind == "already_paid":
        messages.info(request, _("This fee was charged already; nothing more was taken."))
    elif outcome.kind == "stale":
        messages.warning(request, outcome.message)
    elif outcome.kind == "needs_authentication":
        messages.warning(request, outcome.message)
    else:
        messages.error(request, outcome.message)
