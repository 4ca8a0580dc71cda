"""Public endpoints: calendar services' push notifications and the providers' iCal feeds."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .feed import feed_calendar, find_feed
from .push import notified_calendars
from .tasks import calendar_sync_task


@csrf_exempt
@require_POST
def calendar_push(request, kind):
    """A trigger, not data: the service says "something changed"; we check the watch's secret and queue a sync."""
    response, calendars = notified_calendars(kind, request)
    for calendar in calendars:
        calendar_sync_task(calendar.connection_id, calendar.pk)
    return response


@csrf_exempt
def google_push(request):
    """The address Google channels made by earlier releases were registered with."""
    return calendar_push(request, "google")


@require_GET
def ical_feed(request, provider_id, token):
    feed = find_feed(provider_id, token)
    if feed is None:
        raise Http404("No calendar feed at this address (it may have been reset).")
    response = HttpResponse(feed_calendar(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
