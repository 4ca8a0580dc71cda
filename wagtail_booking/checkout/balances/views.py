"""The client's balance page, opened from the link staff send after the visit: the bill, a tip, "Pay"."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from oscar.core.loading import get_class

from ...bookings.intake import is_reference
from ...bookings.models import Booking
from ...businesses import site_for_request
from ...conf import booking_settings
from ...throttling import rate_limited
from . import lines, links, services
from .forms import TipForm
from .models import AddOn

CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")


def _page(request, template, context, status=200):
    return render(request, template, {**context, "booking_base_template": booking_settings.BASE_TEMPLATE},
                  status=status)


@require_http_methods(["GET", "POST"])
@rate_limited("write")
def balance(request, reference, token):
    """What is due and the tip; "Pay" fills the basket with the balance and the tip and opens the payment page.

    A tampered or revoked link is a 404, an expired one a 410; a balance already paid says so (200).
    """
    booking = (Booking.objects.select_related("service", "provider")
               .filter(reference=reference.upper(), site=site_for_request(request)).first()
               if is_reference(reference) else None)
    state = links.check(booking, token) if booking else links.INVALID
    if state == links.INVALID:
        raise Http404("No booking matches this link.")
    if state == links.EXPIRED:
        return _page(request, "wagtail_booking/balance/expired.html", {"booking": booking}, status=410)
    bill = services.balance_of(booking)
    context = {"booking": booking, "bill": bill, "add_ons": AddOn.objects.filter(booking=booking),
               "tips": services.tips_for(booking), "token": token}
    if bill.paid_in_full or not services.can_request(booking):
        return _page(request, "wagtail_booking/balance/paid.html", context)
    form = TipForm(request.POST or None, balance=bill.due, currency=booking.currency)
    if request.method == "POST" and form.is_valid():
        lines.fill_basket(request.basket, booking, bill.due, form.cleaned_data["tip_amount"])
        CheckoutSessionData(request).set_guest_email(booking.client_email)
        return HttpResponseRedirect(reverse("checkout:index"))
    return _page(request, "wagtail_booking/balance/balance.html", {**context, "form": form},
                 status=400 if request.method == "POST" else 200)


def thanks_url(order):
    """After paying: the balance page, which now says "Paid in full" (fulfilment's ``thanks_url``)."""
    found = lines.references(order)
    booking = Booking.objects.filter(reference=found[0]).first() if found else None
    return links.balance_path(booking) if booking else None
