"""A provider's bookings as an iCal subscription feed at a secret URL, for calendars without OAuth.

The URL carries an HMAC (keyed by ``SECRET_KEY``) of the feed's random salt; nothing secret is stored, and
resetting the salt makes every earlier URL answer 404.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

from ..bookings.models import Booking
from .models import CalendarFeed, new_feed_salt

LIVE = (Booking.Status.CONFIRMED, Booking.Status.REQUESTED)
PAST_DAYS = 30


def feed_token(feed: CalendarFeed) -> str:
    return salted_hmac("wagtail_booking.sync.feed", f"{feed.provider_id}:{feed.salt}", algorithm="sha256").hexdigest()


def feed_path(feed: CalendarFeed) -> str:
    return reverse("wagtail_booking:ical-feed", args=[feed.provider_id, feed_token(feed)])


def reset_feed(provider) -> CalendarFeed:
    feed, created = CalendarFeed.objects.get_or_create(provider=provider)
    if not created:
        feed.salt = new_feed_salt()
        feed.save(update_fields=["salt"])
    return feed


def find_feed(provider_id: int, token: str) -> CalendarFeed | None:
    feed = CalendarFeed.objects.select_related("provider").filter(provider_id=provider_id).first()
    return feed if feed is not None and constant_time_compare(token, feed_token(feed)) else None


def feed_calendar(feed: CalendarFeed, now=None) -> bytes:
    """Live bookings from a month ago onwards; requests awaiting approval are marked tentative."""
    now = now or timezone.now()
    provider = feed.provider
    calendar = Calendar()
    calendar.add("prodid", "-//wagtail-booking//provider feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Bookings: {provider.name}")
    calendar.add("x-wr-timezone", provider.timezone)
    calendar.add("refresh-interval", timedelta(minutes=30), parameters={"VALUE": "DURATION"})
    bookings = provider.bookings.filter(status__in=LIVE, end__gte=now - timedelta(days=PAST_DAYS))
    for booking in bookings.select_related("service").order_by("start"):
        event = Event()
        event.add("uid", f"{booking.reference}@wagtail-booking")
        event.add("dtstamp", booking.updated_at or now)
        event.add("dtstart", booking.start)
        event.add("dtend", booking.end)
        event.add("summary", f"{booking.service.name}: {booking.client_name}")
        event.add("description", f"Booking {booking.reference}")
        event.add("status", "CONFIRMED" if booking.status == Booking.Status.CONFIRMED else "TENTATIVE")
        calendar.add_component(event)
    return calendar.to_ical()
