"""A service whose Monday has two places (09:00 and 09:30 with Maya), filled; clients joining its waitlist."""

import re
from datetime import time

from django.core import mail

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.waitlist import lines


def small_service(**kwargs):
    provider = ProviderFactory(name="Maya", weekdays=[(0, time(9), time(10))])
    return ServiceFactory(name="Massage", providers=[provider], **kwargs), provider


def client(name, zone="America/New_York"):
    return services.ClientDetails(name=name, email=f"{name.lower()}@example.com", timezone=zone)


def fill(service, monday):
    """Book both of Monday's places; returns the two bookings (09:00, 09:30)."""
    return [services.create_hold(service, ny(monday, 9, minute), client(f"Booked{minute}"))
            for minute in (0, 30)]


def wait(service, monday, name, **want):
    waiter = lines.clean_waiter(name, f"{name.lower()}@example.com", "America/New_York")
    return lines.join(lines.Want(service=service, **({"day": monday} | want)), waiter)


def offer_emails(to):
    return [message for message in mail.outbox if to in message.to and "free for you" in message.subject]


def claim_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S*/waitlist/claim/\S+/)", message.body).group(1)
