"""Staff: the waitlists of their businesses, one line per service and day, with reorder, remove and "offer now"
(each a POST with CSRF, checked against the change permission and the user's businesses)."""

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..businesses import visible_to
from ..site_settings import business_zone
from ..waitlist import lines, offers
from ..waitlist.models import WaitlistEntry

VIEW, CHANGE = "wagtail_booking.view_waitlistentry", "wagtail_booking.change_waitlistentry"
SHOWN = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED, WaitlistEntry.Status.EXPIRED)


def _entries(request, permission=VIEW):
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return visible_to(WaitlistEntry.objects.select_related("service", "site", "provider", "offered_provider",
                                                           "session"), request.user, "site")


def index(request):
    today = timezone.now().date()
    entries = list(_entries(request).filter(status__in=SHOWN, day__gte=today - timedelta(days=1))
                   .order_by("service__name", "service_id", "day", "position", "created_at", "pk")[:1000])
    for entry in entries:
        entry.zone = business_zone(entry.site)
    groups = [{"service": service, "day": day, "entries": list(rows)}
              for (service, day), rows in groupby(entries, key=lambda entry: (entry.service, entry.day))]
    return TemplateResponse(request, "wagtail_booking/admin/waitlist.html", {
        "lines": groups, "can_change": request.user.has_perm(CHANGE),
        "page_title": _("Waitlist"), "header_title": _("Waitlist")})


@require_POST
def act(request, pk, action):
    entry = _entries(request, CHANGE).filter(pk=pk).first()
    if entry is None:
        raise Http404("No such waitlist entry in the businesses you work in.")
    if action in ("up", "down"):
        if not lines.move(entry, up=action == "up"):
            messages.warning(request, _("%(name)s is already at that end of the line.") % {"name": entry.client_name})
    elif action == "remove":
        lines.leave(entry)
        messages.success(request, _("%(name)s was removed from the waitlist.") % {"name": entry.client_name})
    elif action == "offer":
        if offers.offer_now(entry) is None:
            messages.warning(request, _("No free place matches what %(name)s waits for, or they are not waiting.")
                             % {"name": entry.client_name})
        else:
            messages.success(request, _("%(name)s was offered a place.") % {"name": entry.client_name})
    else:
        raise Http404("Unknown waitlist action.")
    return redirect(reverse("wagtail_booking_waitlist"))


urlpatterns = [path("booking/waitlist/", index, name="wagtail_booking_waitlist"),
               path("booking/waitlist/<int:pk>/<slug:action>/", act, name="wagtail_booking_waitlist_act")]
