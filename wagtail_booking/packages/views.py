"""The client's package pages: buy one, see what was bought, and book a held time with a credit."""

from django import forms
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from oscar.core.loading import get_class, get_model

from .. import formats
from ..bookings import services
from ..bookings.links import booking_for_link, my_bookings_email
from ..bookings.models import Booking
from ..bookings.tokens import manage_token
from ..businesses import site_for_request
from ..conf import booking_settings
from ..site_settings import business_zone
from ..throttling import rate_limited
from . import credits
from .catalogue import product_for
from .models import CreditPurchase, Package

CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")
Order = get_model("order", "Order")


class BuyForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             help_text=gettext_lazy("Your credits and their code are sent here."))


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Credit code"), max_length=40, required=False,
                           help_text=gettext_lazy("From the email you received when you bought the package."))


def _page(request, template, context, status=200):
    context["booking_base_template"] = booking_settings.BASE_TEMPLATE
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@rate_limited("write")
def package(request, package_id):
    """A package on sale: what it covers and its price; "Buy" puts it in the basket and starts the checkout."""
    item = get_object_or_404(Package, pk=package_id, on_sale=True, site=site_for_request(request))
    signed_in = request.user.is_authenticated
    form = None if signed_in else BuyForm(request.POST or None)
    if request.method == "POST" and (signed_in or form.is_valid()):
        request.basket.add_product(product_for(item), 1)
        if not signed_in:
            CheckoutSessionData(request).set_guest_email(form.cleaned_data["email"])
        return HttpResponseRedirect(reverse("checkout:index"))
    return _page(request, "wagtail_booking/packages/package.html",
                 {"package": item, "form": form, "services": item.services.filter(active=True)},
                 status=400 if request.method == "POST" else 200)


def bought(request, number):
    """After paying: the credits of this order (shown to the browser that placed it, or its signed-in buyer)."""
    order = Order.objects.filter(number=number).first()
    mine = order is not None and (request.session.get("checkout_order_id") == order.pk
                                  or (request.user.is_authenticated and order.user_id == request.user.pk))
    if not mine:
        raise Http404("No order of yours has this number.")
    purchases = CreditPurchase.objects.filter(order=order).select_related("package")
    rows = [{"purchase": purchase, "balance": credits.balance_of(purchase),
             "expires": formats.when(purchase.expires_at, business_zone(purchase.site))} for purchase in purchases]
    return _page(request, "wagtail_booking/packages/bought.html", {"order": order, "rows": rows, "email": order.email})


_held_booking = booking_for_link


@require_http_methods(["GET", "POST"])
@rate_limited("write")
def use_credit(request, reference, token):
    """A held, paid time: book it with a credit the client proves is theirs, or go on to pay the deposit."""
    booking = _held_booking(request, reference, token)
    pay_url = reverse("wagtail_booking:pay", args=[booking.reference, token])
    if booking.status != Booking.Status.HELD or not booking.is_live:
        return HttpResponseRedirect(pay_url)  # the payment page explains an expired or finished hold
    form = CodeForm(request.POST or None)
    email = my_bookings_email(request, booking.site_id)  # a "my bookings" session proves the buyer's mailbox
    mine = credits.owned_by(credits.usable(booking.site_id, booking.service), request.user, email=email)
    context = {"booking": booking, "form": form, "pay_url": pay_url, "own": _with_balance(mine)}
    if request.method != "POST" or not form.is_valid():
        return _page(request, "wagtail_booking/packages/use_credit.html", context)
    candidates = credits.owned_by(credits.usable(booking.site_id, booking.service), request.user,
                                  form.cleaned_data["code"], email)
    try:
        _book_with_credit(booking, candidates)
    except credits.NoCredit as refused:
        proven = request.user.is_authenticated or bool(email)  # no code asked for: the error is the page's
        form.add_error("code" if form.cleaned_data["code"] or not proven else None, refused.message)
        return _page(request, "wagtail_booking/packages/use_credit.html", context, status=400)
    except services.SlotUnavailable as lost:
        form.add_error(None, lost.message)
        return _page(request, "wagtail_booking/packages/use_credit.html", context, status=409)
    return HttpResponseRedirect(reverse("wagtail_booking:booked", args=[booking.reference, manage_token(booking)]))


def _with_balance(purchases):
    rows = [(purchase, credits.balance_of(purchase)) for purchase in purchases]
    return [{"purchase": purchase, "balance": balance} for purchase, balance in rows if balance > 0]


def _book_with_credit(booking, candidates):
    """Confirm the hold and spend one credit, together or not at all: the booking is locked (by the booking
    services), then the purchase row (by ``credits.spend``), the order cancelling uses too."""
    if not candidates.exists():
        raise credits.NoCredit(_("That code does not match any credits for %(service)s.")
                               % {"service": booking.service.name})
    with transaction.atomic():
        services.complete_hold(booking)
        last = None
        for purchase in candidates:  # the one that expires first
            try:
                return credits.spend(purchase, booking)
            except credits.NoCredit as refused:
                last = refused
        raise last
