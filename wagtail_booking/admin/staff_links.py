"""Approve and decline links from a request's staff email: they open the admin's confirmation page.

A link never acts by itself (mail scanners and link previews follow GET links): after signing in, staff see what
approving or declining means and confirm with a POST to the booking's action URL, which runs every check again.
The link is signed and expires after a month; the booking must still be one of the user's businesses' bookings.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from ..bookings.models import Booking
from ..businesses import visible_to
from ..checkout import facade
from ..formats import money
from ..notifications.staff import read_review_token
from .booking_page import ACTION_LABELS, consequence
from .bookings import _confirm_page


def approve_consequence(booking) -> str:
    payment = facade.paid_payment(booking)
    told = _("The booking is confirmed and the client is told by email.")
    if payment is not None and payment.state == "authorised":
        return _("%(told)s The deposit of %(amount)s held on the client's card is taken.") % {
            "told": told, "amount": money(payment.amount, payment.currency)}
    return told


def _invalid(request, sentence):
    return TemplateResponse(request, "wagtail_booking/admin/staff_link_invalid.html", {
        "page_title": _("This link cannot be used"),
        "header_title": _("This link cannot be used"), "header_icon": "warning", "sentence": sentence,
        "bookings_url": reverse("wagtail_booking_bookings:index")}, status=400)


def review(request, token):
    try:
        booking_id, action = read_review_token(token)
    except signing.SignatureExpired:
        return _invalid(request, _("This link is more than a month old. Open the booking from the Bookings list."))
    except signing.BadSignature:
        return _invalid(request, _("This link is incomplete or was changed. Copy the whole link from the email, or "
                                   "open the booking from the Bookings list."))
    if not request.user.has_perm("wagtail_booking.manage_bookings"):
        raise PermissionDenied
    booking = get_object_or_404(visible_to(Booking.objects.select_related("service", "provider"), request.user),
                                pk=booking_id)
    inspect_url = reverse("wagtail_booking_bookings:inspect", args=[booking.pk])
    if booking.status != Booking.Status.REQUESTED:
        messages.info(request, _("Booking %(ref)s is no longer awaiting approval: it is %(status)s.") % {
            "ref": booking.reference, "status": booking.get_status_display().lower()})
        return redirect(inspect_url)
    text = approve_consequence(booking) if action == "approve" else consequence(booking, action)
    return _confirm_page(request, booking, ACTION_LABELS[action],
                         reverse("wagtail_booking_bookings:action", args=[booking.pk, action]), text, {}, inspect_url)


def urlpatterns():
    return [path("booking/review/<str:token>/", review, name="wagtail_booking_staff_review")]
