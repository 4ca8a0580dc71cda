"""Each provider's daily agenda: an email of the day's appointments at the hour they chose, in their zone.

``agenda_sweep_task`` runs every 15 minutes and calls :func:`queue_due`. A provider is due once their hour has come
on their own wall clock (and for ``WINDOW`` after it, so a worker that was down catches up, but someone who sets
the hour in the evening does not get that morning's agenda at night). The :class:`AgendaSent` row for
(provider, local day) is what lets it go out once: a second sweep, a second worker, or the repeated hour of a
DST fall-back finds it there. A day's bounds are built from the local date, so a 23- or 25-hour day is whole.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import formats
from ..bookings.models import Booking
from ..conf import booking_settings
from ..outbox import enqueue
from ..snippets.models import Provider
from .models import AgendaSent
from .staff import admin_base_url, site_language

logger = logging.getLogger(__name__)
WINDOW = timedelta(hours=4)
LISTED = (Booking.Status.REQUESTED, Booking.Status.CONFIRMED)


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of the local ``day`` in ``zone`` as aware datetimes (23 or 25 hours across DST)."""
    tz = ZoneInfo(zone)
    return datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def due_day(provider, now: datetime) -> date | None:
    """The local day whose agenda ``provider`` is due now, or None (not their hour, or no agenda wanted)."""
    if provider.agenda_hour is None:
        return None
    local_day = now.astimezone(ZoneInfo(provider.timezone)).date()
    # Compared in UTC (aware datetimes sharing a tzinfo compare by wall clock): an hour skipped by a spring-forward
    # comes right after the gap; an hour repeated by a fall-back starts at its first occurrence.
    hour_start = datetime.combine(local_day, time(provider.agenda_hour),
                                  tzinfo=ZoneInfo(provider.timezone)).astimezone(UTC)
    return local_day if hour_start <= now.astimezone(UTC) < hour_start + WINDOW else None


def appointments(provider, day: date):
    start, end = day_bounds(day, provider.timezone)
    return (Booking.objects.filter(provider=provider, status__in=LISTED, start__gte=start, start__lt=end)
            .select_related("service").order_by("start"))


def queue_due(send_task, now: datetime | None = None) -> int:
    """Record and queue the agenda of every provider whose hour has come; returns how many were queued.

    ``send_task`` is ``tasks.send_agenda_task`` (passed in: this module does not import tasks).
    """
    now = now or timezone.now()
    providers = list(Provider.objects.filter(active=True, agenda_hour__isnull=False).exclude(email=""))
    recent = now.date() - timedelta(days=1)  # local days are at most a day from the UTC date
    sent = set(AgendaSent.objects.filter(provider__in=providers, day__gte=recent)
               .values_list("provider_id", "day"))
    queued = 0
    for provider in providers:
        day = due_day(provider, now)
        if day is None or (provider.pk, day) in sent:
            continue
        queued += _claim(provider, day, send_task)
    return queued


def _claim(provider, day, send_task) -> int:
    count = appointments(provider, day).count()
    try:
        with transaction.atomic():
            AgendaSent.objects.create(provider=provider, day=day, appointments=count)
            if count or provider.agenda_when_empty:
                enqueue(send_task, provider.pk, day.isoformat())
                return 1
    except IntegrityError:
        pass  # another sweep got there first
    return 0


def send_agenda(provider, day: date) -> None:
    """Email ``provider`` the agenda of their local ``day`` (as booked when it is sent)."""
    zone = provider.timezone
    rows = list(appointments(provider, day))
    base = admin_base_url(provider.site)
    with translation.override(site_language(provider.site)):
        day_text = date_format(day, "l j F Y")
        context = {
            "provider": provider, "day": day_text, "zone": zone, "bookings": [
                {"booking": booking, "time": formats.when(booking.start, zone, formats.TIME, named=False),
                 "ends": formats.when(booking.end, zone, formats.TIME, named=False),
                 "url": base + reverse("wagtail_booking_bookings:inspect", args=[booking.pk])} for booking in rows],
            "preferences_url": base + reverse("wagtailsnippets_wagtail_booking_provider:edit", args=[provider.pk]),
        }
        subject = _("Your agenda for %(day)s: %(count)s") % {"day": day_text, "count": ngettext(
            "%(n)s appointment", "%(n)s appointments", len(rows)) % {"n": len(rows)}}
        message = EmailMultiAlternatives(subject=subject,
                                         body=render_to_string("wagtail_booking/email/agenda.txt", context),
                                         from_email=booking_settings.from_email, to=[provider.email])
        message.attach_alternative(render_to_string("wagtail_booking/email/agenda.html", context), "text/html")
    message.send()
