"""Staff ask for the balance after the visit: add add-ons, choose email and/or text, see the amount, send the link.

Reached from the booking's page ("Request the balance"); a URL of the bookings viewset, so another business's
booking is a 404 before this code runs (``admin/scoping.py``), and checked again here.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .. import formats
from ..bookings import history
from ..bookings.models import Booking
from ..businesses import visible_to
from ..checkout.balances import services
from ..checkout.balances.models import AddOn
from ..notifications import payment_links
from ..notifications.tasks import queue_balance_link

CHANNELS = [("email", _("Email")), ("sms", _("Text message"))]


class AddOnForm(forms.Form):
    description = forms.CharField(label=_("Add-on"), max_length=200,
                                  help_text=_("For example: Aromatherapy oil"))
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2)


class SendForm(forms.Form):
    channels = forms.MultipleChoiceField(label=_("Send the link by"), choices=CHANNELS,
                                         widget=forms.CheckboxSelectMultiple, initial=["email"])

    def __init__(self, *args, booking, **kwargs):
        super().__init__(*args, **kwargs)
        self.booking = booking

    def clean_channels(self):
        channels = self.cleaned_data["channels"]
        if "sms" in channels:
            problem = payment_links.sms_problem(self.booking.site, self.booking.client_phone,
                                                self.booking.sms_consent)
            if problem:
                raise forms.ValidationError(problem.replace("sms_consent: true", "their consent to texts"))
        return channels


def summary(booking) -> dict:
    """The booking page's "Balance" lines: due or paid in full, in words and money."""
    bill = services.balance_of(booking)
    currency = booking.currency or None
    add_ons = [(a.description, formats.money(a.amount, a.currency)) for a in AddOn.objects.filter(booking=booking)]
    return {"free": not booking.price and not add_ons, "due": formats.money(bill.due, currency),
            "paid_in_full": bill.paid_in_full,
            "paid": formats.money(bill.paid, currency), "deposit": formats.money(bill.deposit_kept, currency),
            "add_ons": add_ons,
            "tips": [formats.money(t.amount, t.currency) for t in services.tips_for(booking)],
            "requestable": services.can_request(booking) and not bill.paid_in_full}


def request_view(viewset, request, pk):
    """GET: the form; POST ``add``: one more add-on; POST ``send``: the link by the channels ticked."""
    if not request.user.has_perm("wagtail_booking.manage_bookings"):
        raise PermissionDenied
    booking = get_object_or_404(visible_to(Booking.objects.select_related("service", "provider", "site"),
                                           request.user), pk=pk)
    back = redirect(viewset.get_url_name("inspect"), booking.pk)
    if not services.can_request(booking):
        messages.error(request, _("The balance can be requested once the appointment has started."))
        return back
    add_form = AddOnForm(request.POST if "add" in request.POST else None, prefix="addon")
    send_form = SendForm(request.POST if "send" in request.POST else None, booking=booking)
    if "add" in request.POST and add_form.is_valid():
        services.add_add_on(booking, add_form.cleaned_data["description"], add_form.cleaned_data["amount"],
                            request.user)
        messages.success(request, _("Added %(what)s.") % {"what": add_form.cleaned_data["description"]})
        return redirect(viewset.get_url_name("balance"), booking.pk)
    if "send" in request.POST and send_form.is_valid():
        return _send(request, booking, send_form.cleaned_data["channels"], back)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "wagtail_booking/admin/balance_request.html", {
        "page_title": _("Request the balance"), "header_icon": "date", "booking": booking,
        "balance": summary(booking), "add_form": add_form, "send_form": send_form,
        "back_url": back.url}, status=status)


def _send(request, booking, channels, back):
    bill = services.balance_of(booking)
    if bill.paid_in_full:
        messages.error(request, _("Nothing is due: the booking is paid in full."))
        return back
    with transaction.atomic():
        for channel in channels:
            queue_balance_link(booking, channel)
        history.record(booking, "balance_requested", history.BY_STAFF, amount=str(bill.due),
                       currency=booking.currency)
    messages.success(request, _("The balance link for %(amount)s is on its way to the client.")
                     % {"amount": formats.money(bill.due, booking.currency or None)})
    return back
