"""The booking a client's link names (manage, pay, card, credit pages): the link's token must match, and the
booking must be with the business whose site answers the request. And the "my bookings" session: the email address
whose emailed link this browser opened, proof that the client reads that mailbox."""

import time

from django.http import Http404

from ..businesses import site_for_request
from .intake import is_reference
from .models import Booking
from .tokens import check_token

# Written by ``clients.views.open_link`` when the client opens the emailed link: {"site", "email", "until"}.
MY_BOOKINGS_SESSION = "wagtail_booking_my_bookings"


def my_bookings_email(request, site_id) -> str:
    """The address whose "my bookings" link this browser opened for the business ``site_id``, while that session
    lasts; "" otherwise (another business's, run out, or none)."""
    opened = getattr(request, "session", {}).get(MY_BOOKINGS_SESSION) or {}
    if opened.get("site") != site_id or opened.get("until", 0) < time.time():
        return ""
    return opened.get("email", "")


def booking_for_link(request, reference, token) -> Booking:
    """The booking, with its service and provider; Http404 for a bad reference, token or business."""
    booking = (Booking.objects.select_related("service", "provider")
               .filter(reference=reference.upper(), site=site_for_request(request)).first()
               if is_reference(reference) else None)
    if booking is None or not check_token(booking, token):
        raise Http404("No booking matches this link.")
    return booking
