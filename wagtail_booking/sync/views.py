"""Public endpoints: Google's push notifications and the providers' iCal feeds."""

from __future__ import annotations

import logging
import re

from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .feed import feed_calendar, find_feed
from .push import calendar_for_notification
from .tasks import google_sync_task

logger = logging.getLogger(__name__)

# Google's channel ids are [A-Za-z0-9-_+/=] (ours are uuid4 hex, SyncedCalendar.channel_id holds 64).
CHANNEL_ID = re.compile(r"[A-Za-z0-9_+/=-]{1,64}")
REJECTIONS = {404: "Unknown or stopped notification channel.", 403: "The channel token does not match."}


@csrf_exempt
@require_POST
def google_push(request):
    """A trigger, not data: Google says "something changed" (no body); we check the channel and queue a sync."""
    channel_id = request.headers.get("X-Goog-Channel-ID", "")
    if not CHANNEL_ID.fullmatch(channel_id):
        logger.info("Rejected Google push notification with a malformed channel id %.80r", channel_id)
        return HttpResponse(REJECTIONS[404], status=404, content_type="text/plain")
    status, calendar = calendar_for_notification(channel_id, request.headers.get("X-Goog-Channel-Token", ""))
    if calendar is None:
        logger.info("Rejected Google push notification (%s) for channel %r", status, channel_id)
        return HttpResponse(REJECTIONS[status], status=status, content_type="text/plain")
    if request.headers.get("X-Goog-Resource-State") != "sync" and calendar.connection.is_connected:
        google_sync_task(calendar.connection_id, calendar.pk)
    return HttpResponse(status=200)


@require_GET
def ical_feed(request, provider_id, token):
    feed = find_feed(provider_id, token)
    if feed is None:
        raise Http404("No calendar feed at this address (it may have been reset).")
    response = HttpResponse(feed_calendar(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
