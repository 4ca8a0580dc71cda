"""Moving a booking from the admin calendar: by drag (JSON) or by a form (keyboard, no JavaScript).

Both call ``bookings.services.reschedule(by="staff")``, the code a client's move runs: the new start must be a
free time of the same provider (working hours, notice, other bookings, busy time and time off), and the client
gets the same "your booking was moved" notifications. Staff are not held to the client's cut-off.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..bookings import services
from ..bookings.availability import available_slots, local_day_bounds
from ..bookings.models import Booking
from ..businesses import visible_to
from ..formats import when
from ..site_settings import business_zone
from .calendar import MOVABLE_STATUSES, MOVE_PERMISSION, BadInput, parse_local


class DayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def free_starts(booking, day, zone_name):
    """Free starts of the booking's service with its provider on ``day`` (local to ``zone_name``), itself aside."""
    start, end = local_day_bounds(day, day, zone_name)
    return available_slots(booking.service, start, end, [booking.provider_id], exclude_booking=booking)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_http_methods(["GET", "POST"])
def move(request, pk):
    """GET: the booking and the free times of a day to move it to. POST ``start``: move it there."""
    if not request.user.has_perm(MOVE_PERMISSION):
        raise PermissionDenied
    booking = get_object_or_404(visible_to(Booking.objects.select_related("service", "provider", "site"),
                                           request.user), pk=pk)
    zone_name = business_zone(booking.site)
    zone = ZoneInfo(zone_name)
    if request.method == "POST":
        return _move(request, booking, zone)
    form = DayForm(request.GET if "day" in request.GET else None,
                   initial={"day": booking.start.astimezone(zone).date()})
    day = form.cleaned_data["day"] if form.is_bound and form.is_valid() else form.initial["day"]
    movable = booking.status in MOVABLE_STATUSES
    slots = free_starts(booking, day, zone_name) if movable else []
    return TemplateResponse(request, "wagtail_booking/admin/calendar/move.html", {
        "page_title": _("Move booking %(ref)s") % {"ref": booking.reference},
        "header_title": _("Move booking %(ref)s") % {"ref": booking.reference}, "header_icon": "calendar-alt",
        "booking": booking, "zone_name": zone_name, "form": form, "day": day, "movable": movable,
        "current": when(booking.start, zone_name),
        "slots": [(slot.start.isoformat(), slot.start.astimezone(zone).strftime("%H:%M")) for slot in slots],
        "back_url": _calendar_url(booking, zone),
    })


def _move(request, booking, zone):
    try:
        new_start = parse_local(request.POST.get("start", ""), zone)
        services.reschedule(booking, new_start, by="staff")
    except (BadInput, services.BookingError) as error:
        why = error.message if isinstance(error, services.BookingError) else str(error)
        if _wants_json(request):
            return JsonResponse({"error": why, "start": _wall_start(booking, zone)}, status=409
                                if isinstance(error, services.BookingError) else 400)
        messages.error(request, _("Not moved: %(why)s") % {"why": why})
        return redirect(reverse("wagtail_booking_calendar_move", args=[booking.pk]) + "?" + urlencode(
            {"day": request.POST.get("day") or booking.start.astimezone(zone).date().isoformat()}))
    said = when(booking.start, str(zone))
    if _wants_json(request):
        return JsonResponse({"message": _("Booking %(ref)s moved to %(when)s.") % {"ref": booking.reference,
                                                                                   "when": said}})
    messages.success(request, _("Booking %(ref)s moved to %(when)s. The client has been told.")
                     % {"ref": booking.reference, "when": said})
    return redirect(_calendar_url(booking, zone))


def _wall_start(booking, zone):
    """Where the booking is now (the calendar puts a refused drop back there)."""
    return booking.start.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")


def _calendar_url(booking, zone):
    day = booking.start.astimezone(zone).date()
    return reverse("wagtail_booking_calendar") + "?" + urlencode(
        {"view": "day", "date": day.isoformat(), "provider": booking.provider_id, "site": booking.site_id})
