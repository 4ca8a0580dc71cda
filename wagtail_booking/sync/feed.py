"""A provider's bookings as an iCal subscription feed at a secret URL, for calendars without OAuth.

The URL carries a ``django.core.signing`` signature of the feed's random salt: nothing secret is stored, resetting
the salt makes every earlier URL answer 404, and a rotated ``SECRET_KEY`` keeps subscribed URLs working while the
old key is in ``SECRET_KEY_FALLBACKS``. URLs made by earlier releases (a hex HMAC) are still accepted.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

from ..bookings.models import Booking
from .models import CalendarFeed, new_feed_salt

LIVE = (Booking.Status.CONFIRMED, Booking.Status.REQUESTED)
PAST_DAYS = 30
KEY_SALT = "wagtail_booking.sync.feed"


def _signer() -> signing.Signer:
    return signing.Signer(salt=KEY_SALT, algorithm="sha256")


def _signed_value(feed: CalendarFeed) -> str:
    return f"{feed.provider_id}:{feed.salt}"


def feed_token(feed: CalendarFeed) -> str:
    return _signer().signature(_signed_value(feed))


def _token_matches(feed: CalendarFeed, token: str) -> bool:
    try:
        _signer().unsign(f"{_signed_value(feed)}:{token}")
        return True
    except signing.BadSignature:
        return _matches_legacy_token(feed, token)


def _matches_legacy_token(feed: CalendarFeed, token: str) -> bool:
    """The hex HMAC earlier releases put in feed URLs (calendar apps keep a subscribed URL for years)."""
    return any(constant_time_compare(token, salted_hmac(KEY_SALT, _signed_value(feed), secret=key,
                                                        algorithm="sha256").hexdigest())
               for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS])


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
    return feed if feed is not None and _token_matches(feed, token) else None


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
    for booking in bookings.select_related("service", "provider").order_by("start"):
        event = Event()
        event.add("uid", f"{booking.reference}@wagtail-booking")
        event.add("dtstamp", booking.updated_at or now)
        event.add("dtstart", booking.start)
        event.add("dtend", booking.end)
        event.add("summary", f"{booking.service.name}: {booking.client_name}")
        event.add("description", f"Booking {booking.reference}")
        if booking.video_link:
            event.add("location", booking.video_link)
        event.add("status", "CONFIRMED" if booking.status == Booking.Status.CONFIRMED else "TENTATIVE")
        calendar.add_component(event)
    return calendar.to_ical()
