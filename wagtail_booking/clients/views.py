"""The client's "my bookings" pages: ask for a link by email, open it, see the bookings; and the Oscar account's
bookings page."""

import time

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..bookings.links import MY_BOOKINGS_SESSION, my_bookings_email
from ..bookings.models import Booking
from ..bookings.tokens import manage_token
from ..businesses import site_for_request
from ..outbox import enqueue
from ..packages import credits
from ..site_settings import business_name
from ..throttling import rate_limited
from . import links
from .tasks import send_access_link_task

SESSION_KEY = MY_BOOKINGS_SESSION
# How long an opened link lets this browser see the list (the link itself is used up when opened).
SESSION_SECONDS = 2 * 60 * 60


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


@require_http_methods(["GET", "POST"])
@rate_limited("email_link")
def request_link(request):
    """Ask for a link. The answer is the same whether or not the address has bookings here (no enumeration)."""
    site = site_for_request(request)
    form = EmailForm(request.POST or None)
    context = {"form": form, "business_name": business_name(site), "minutes": links.LINK_MINUTES}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "wagtail_booking/clients/request_link.html", context, status=400)
        with transaction.atomic():
            link = links.issue(site, form.cleaned_data["email"])
            if link is not None:
                enqueue(send_access_link_task, link.pk)
        context["sent_to"] = form.cleaned_data["email"]
    return render(request, "wagtail_booking/clients/request_link.html", context)


@require_http_methods(["GET", "POST"])
def open_link(request, token):
    """GET asks for a click (mail scanners that fetch links must not use them up); POST uses the link."""
    site = site_for_request(request)
    if request.method == "GET":
        if links.find(site, token) is None:
            return _link_gone(request, site)
        return render(request, "wagtail_booking/clients/open_link.html", {"business_name": business_name(site)})
    email = links.redeem(site, token, request.user)
    if email is None:
        return _link_gone(request, site)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"site": site.pk, "email": email, "until": time.time() + SESSION_SECONDS}
    return HttpResponseRedirect(reverse("wagtail_booking:my-bookings-list"))


def booking_list(request):
    site = site_for_request(request)
    email = my_bookings_email(request, site.pk)
    if not email:
        return HttpResponseRedirect(reverse("wagtail_booking:my-bookings"))
    context = {"email": email, "business_name": business_name(site),
               **split_bookings(links.bookings_for(site, email)), "credits": credits.balances_for(site.pk, email)}
    return render(request, "wagtail_booking/clients/booking_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("email_link")
def account_bookings(request):
    """The Oscar account's bookings: those made with the account's address, once the account proved it owns it."""
    site = site_for_request(request)
    confirmed = links.account_email_confirmed(request.user)
    context = {"page_title": _("Bookings"), "active_tab": "bookings", "confirmed": confirmed,
               "email": request.user.email}
    if confirmed:
        context.update(split_bookings(links.bookings_for(site, request.user.email)))
        context["credits"] = credits.balances_for(site.pk, request.user.email)
    elif request.method == "POST" and request.user.email:
        with transaction.atomic():
            link = links.issue(site, request.user.email, user=request.user)
            if link is not None:
                enqueue(send_access_link_task, link.pk)
        context["sent"] = True
    return render(request, "wagtail_booking/clients/account_bookings.html", context)


def split_bookings(bookings):
    """Upcoming (soonest first) and past (latest first) bookings, each with its manage link and local times."""
    now = timezone.now()
    live = {Booking.Status.CONFIRMED, Booking.Status.REQUESTED}
    rows = [{"booking": b, "local_start": b.local_start(), "zone_name": b.client_timezone,
             "changeable": b.status in live and b.start > now,
             "manage_url": reverse("wagtail_booking:manage", args=[b.reference, manage_token(b)])} for b in bookings]
    return {"upcoming": [r for r in rows if r["booking"].end > now],
            "past": [r for r in reversed(rows) if r["booking"].end <= now]}


def _link_gone(request, site):
    return render(request, "wagtail_booking/clients/link_gone.html",
                  {"form": EmailForm(), "business_name": business_name(site)}, status=410)
