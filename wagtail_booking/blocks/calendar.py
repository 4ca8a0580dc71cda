""""Add to calendar" for a booked client: an .ics download and Google Calendar and Outlook links, in exact UTC."""

from datetime import UTC
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ..notifications.ics import booking_calendar
from ..site_settings import business_name, site_settings

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"


def _event(booking, manage_url):
    business = business_name(booking.site)
    config = site_settings(booking.site)
    title = _("%(service)s with %(provider)s") % {"service": booking.service.name, "provider": booking.provider.name}
    details = _("Booking %(reference)s at %(business)s. Change or cancel: %(url)s") % {
        "reference": booking.reference, "business": business, "url": manage_url}
    place = " ".join((config.address if config else "").split()) or business
    room = booking.resource_for_client
    location = booking.video_link or (f"{room.name}, {place}" if room else place)
    return title, details, location


def calendar_links(booking, token, request) -> dict:
    """The three ways to add ``booking`` to a calendar; ``token`` is its manage token (already checked)."""
    manage_url = request.build_absolute_uri(reverse("wagtail_booking:manage", args=[booking.reference, token]))
    title, details, location = _event(booking, manage_url)
    start, end = booking.start.astimezone(UTC), booking.end.astimezone(UTC)
    google = urlencode({"action": "TEMPLATE", "text": title, "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
                        "details": details, "location": location})
    outlook = urlencode({"path": "/calendar/action/compose", "rru": "addevent", "subject": title,
                         "startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}", "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}",
                         "body": details, "location": location})
    return {"google": f"{GOOGLE}?{google}", "outlook": f"{OUTLOOK}?{outlook}",
            "ics": reverse("wagtail_booking:booking-ics", args=[booking.reference, token])}


def ics_response(booking) -> HttpResponse:
    cancelled = booking.status in ("cancelled", "declined")
    body = booking_calendar(booking, business_name(booking.site), "CANCEL" if cancelled else "PUBLISH")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.reference}.ics"'
    return response
