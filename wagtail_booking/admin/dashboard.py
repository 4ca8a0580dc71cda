"""Dashboard panels (Wagtail's ``construct_homepage_panels``): the business's day at a glance.

Today's appointments, requests awaiting approval, this week's revenue and problems that need someone, each for
the user's businesses only, each in a fixed number of queries (however many bookings there are), each linking to
the screen where the work is done. "Today" and "this week" are the business's, in its own time zone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from .. import formats
from ..bookings.models import Booking
from ..businesses import user_site_ids
from ..notifications.models import SmsMessage
from ..reports import PERMISSION as REVENUE_PERMISSION
from ..reports.periods import Period
from ..reports.revenue import Filters, totals
from ..site_settings import BusinessSettings
from ..sync.admin_views import can_view as can_view_calendar_sync
from ..sync.models import CalendarConnection
from ..webhooks.models import WebhookDelivery, WebhookEndpoint

LIMIT = 8  # rows listed in a panel; the rest are behind its "see all" link
RECENT = timedelta(days=7)  # failed texts and webhook deliveries older than this are history, not problems
TODAY_STATUSES = (Booking.Status.REQUESTED, Booking.Status.CONFIRMED, Booking.Status.COMPLETED,
                  Booking.Status.NO_SHOW)


def business_zones(request) -> dict[int, str]:
    """``{site id: zone}`` of the user's businesses; one query, once per request."""
    cached = getattr(request, "_wagtail_booking_zones", None)
    if cached is None:
        site_ids = user_site_ids(request.user)
        chosen = dict(BusinessSettings.objects.filter(site_id__in=site_ids).values_list("site_id", "time_zone"))
        cached = {site_id: chosen.get(site_id) or settings.TIME_ZONE for site_id in sorted(site_ids)}
        request._wagtail_booking_zones = cached
    return cached


def local_today(zone, now=None):
    return (now or timezone.now()).astimezone(ZoneInfo(zone)).date()


def day_start(day, zone) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


def bookings_url(**params) -> str:
    url = reverse("wagtail_booking_bookings:index")
    return f"{url}?{urlencode(params)}" if params else url


class DashboardPanel(Component):
    """A dashboard panel shown to users who may see bookings."""

    template_name = ""

    def __init__(self, request):
        self.request = request

    @classmethod
    def is_shown_to(cls, user) -> bool:
        return user.is_superuser or user.has_perm("wagtail_booking.view_booking")


class TodayPanel(DashboardPanel):
    name = "wagtail_booking_today"
    order = 50
    template_name = "wagtail_booking/admin/dashboard/today.html"

    def get_context_data(self, parent_context=None):
        zones = business_zones(self.request)
        now = timezone.now()
        spans = Q()
        for site_id, zone in zones.items():
            start = day_start(local_today(zone, now), zone)
            spans |= Q(site_id=site_id, start__gte=start, start__lt=day_start(start.date() + timedelta(days=1), zone))
        rows = list(Booking.objects.filter(spans, status__in=TODAY_STATUSES).select_related("service", "provider")
                    .order_by("start")[:LIMIT + 1]) if zones else []
        several_zones = len(set(zones.values())) > 1
        zone = next(iter(zones.values()), settings.TIME_ZONE)
        today = local_today(zone, now)
        return {
            "rows": [{"booking": booking, "url": reverse("wagtail_booking_bookings:inspect", args=[booking.pk]),
                      "time": formats.when(booking.start, zones[booking.site_id], formats.TIME,
                                           named=several_zones),
                      "past": booking.end <= now} for booking in rows[:LIMIT]],
            "more": len(rows) > LIMIT, "heading_day": date_format(today, "l j F"),
            "zone": "" if several_zones else zone,
            "all_url": bookings_url(start_after=today.isoformat(), start_before=today.isoformat()),
        }


class RequestsPanel(DashboardPanel):
    name = "wagtail_booking_requests"
    order = 51
    template_name = "wagtail_booking/admin/dashboard/requests.html"

    def get_context_data(self, parent_context=None):
        zones = business_zones(self.request)
        waiting = Booking.objects.filter(site_id__in=list(zones), status=Booking.Status.REQUESTED)
        rows = list(waiting.select_related("service", "provider").order_by("start")[:LIMIT])
        return {
            "count": waiting.count(),
            "rows": [{"booking": booking, "url": reverse("wagtail_booking_bookings:inspect", args=[booking.pk]),
                      "when": formats.when(booking.start, zones[booking.site_id])} for booking in rows],
            "all_url": bookings_url(status=Booking.Status.REQUESTED),
        }


class RevenuePanel(DashboardPanel):
    """This week's money (Monday to Sunday, the business's dates): taken, refunded, net, as the revenue report
    counts it. One query per time zone the user's businesses are in (usually one)."""

    name = "wagtail_booking_revenue"
    order = 52
    template_name = "wagtail_booking/admin/dashboard/revenue.html"

    @classmethod
    def is_shown_to(cls, user) -> bool:
        return user.has_perm(REVENUE_PERMISSION)

    def get_context_data(self, parent_context=None):
        by_zone = defaultdict(set)
        for site_id, zone in business_zones(self.request).items():
            by_zone[zone].add(site_id)
        rows, period = [], None
        for zone, site_ids in sorted(by_zone.items()):
            today = local_today(zone)
            period = Period(today - timedelta(days=today.weekday()), today + timedelta(days=6 - today.weekday()),
                            zone)
            rows += totals(Filters(period=period, sites=frozenset(site_ids)))
        return {
            "rows": [{"currency": row.currency, "taken": formats.money(row.taken, row.currency),
                      "refunded": formats.money(row.refunded, row.currency),
                      "net": formats.money(row.net, row.currency), "payments": row.payments} for row in rows],
            "period": (f"{date_format(period.first, 'j M')} – {date_format(period.last, 'j M Y')}"
                       if period else ""),
            "report_url": reverse("wagtail_booking_reports:revenue") + (
                "?" + urlencode({"period": "custom", "dates_after": period.first, "dates_before": period.last,
                                 "interval": "day"})
                if period else ""),
        }


class ProblemsPanel(DashboardPanel):
    """What needs someone: texts that did not arrive, calendars to reconnect, webhooks that stopped working.
    Each line only for those who can act on it; nothing shown when all is well."""

    name = "wagtail_booking_problems"
    order = 53
    template_name = "wagtail_booking/admin/dashboard/problems.html"

    def get_context_data(self, parent_context=None):
        user, site_ids = self.request.user, list(business_zones(self.request))
        since = timezone.now() - RECENT
        problems = []
        if user.has_perm("wagtail_booking.view_smsmessage"):
            failed = SmsMessage.objects.filter(
                Q(site_id__in=site_ids) | Q(site__isnull=True, booking__site_id__in=site_ids), created_at__gte=since,
                status__in=[SmsMessage.Status.FAILED, SmsMessage.Status.UNDELIVERED]).count()
            problems.append((failed, _("text message failed in the last 7 days"),
                             _("text messages failed in the last 7 days"), reverse("wagtail_booking_sms")))
        if can_view_calendar_sync(user):
            reconnect = CalendarConnection.objects.filter(provider__site_id__in=site_ids,
                                                          status=CalendarConnection.Status.RECONNECT).count()
            problems.append((reconnect, _("calendar connection needs reconnecting"),
                             _("calendar connections need reconnecting"), reverse("wagtail_booking_calendar_sync")))
        if user.has_perm("wagtail_booking.view_webhookendpoint"):
            endpoints = WebhookEndpoint.objects.filter(site_id__in=site_ids)
            broken = endpoints.filter(Q(active=False, disabled_at__isnull=False) | Q(
                pk__in=WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED,
                                                      created_at__gte=since).values("endpoint_id"))).count()
            problems.append((broken, _("webhook endpoint is failing or was switched off"),
                             _("webhook endpoints are failing or were switched off"),
                             reverse("wagtail_booking_webhooks")))
        return {"problems": [{"count": count, "label": one if count == 1 else many, "url": url}
                             for count, one, many, url in problems if count],
                "checked": bool(problems)}


PANELS = (TodayPanel, RequestsPanel, RevenuePanel, ProblemsPanel)


def panels_for(request) -> list[Component]:
    return [panel(request) for panel in PANELS if panel.is_shown_to(request.user)]
