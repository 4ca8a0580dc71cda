"""The booking a client's link names (manage, pay, card, credit pages): the link's token must match, and the
booking must be with the business whose site answers the request."""

from django.http import Http404

from ..businesses import site_for_request
from .intake import is_reference
from .models import Booking
from .tokens import check_token


def booking_for_link(request, reference, token) -> Booking:
    """The booking, with its service and provider; Http404 for a bad reference, token or business."""
    booking = (Booking.objects.select_related("service", "provider")
               .filter(reference=reference.upper(), site=site_for_request(request)).first()
               if is_reference(reference) else None)
    if booking is None or not check_token(booking, token):
        raise Http404("No booking matches this link.")
    return booking
