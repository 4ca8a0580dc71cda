"""Video links of online appointments.

A service marked online gives each booking a link. The provider's own link (a Zoom room, say) is used when they set
one; otherwise the calendar that receives the provider's bookings makes a meeting when it writes the booking (Google
Meet, Microsoft Teams) and the sync engine records it here, which sends ``meeting_link_ready`` so the client gets it.
"""

from __future__ import annotations

from django.db import transaction

from .. import signals
from .models import Booking


def wants_calendar_meeting(booking: Booking) -> bool:
    """Whether the calendar write-back should ask for a meeting link (online, and no link of the provider's own)."""
    return bool(booking.service.online and not booking.provider.meeting_url)


def record_meeting_link(booking_id: int, url: str) -> bool:
    """Keep the link the calendar made for the booking. Returns True when it is new or changed (the client is then
    sent it, while the booking is confirmed)."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related("service", "provider").filter(
            pk=booking_id).first()
        if booking is None or not url or booking.meeting_url == url:
            return False
        booking.meeting_url = url
        booking.save(update_fields=["meeting_url", "updated_at"])
        if booking.status == Booking.Status.CONFIRMED and not booking.provider.meeting_url:
            signals.send_isolated(signals.meeting_link_ready, sender=Booking, booking=booking)
    return True
