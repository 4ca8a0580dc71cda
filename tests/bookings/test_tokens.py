"""Client links (manage, iCal feed) survive a SECRET_KEY rotation, refuse forgeries, and links from before the
switch to ``django.core.signing`` keep working."""

import hashlib
import re

import pytest
from django.core import mail, signing
from django.utils.crypto import salted_hmac

from tests.factories.booking import BookingFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import manage_token
from wagtail_booking.sync.feed import feed_path, reset_feed

pytestmark = pytest.mark.django_db

OLD_KEY = "old-secret-key-" + "x" * 40
NEW_KEY = "new-secret-key-" + "y" * 40
CLIENT = services.ClientDetails(name="Ann Client", email="ann@example.com", timezone="America/New_York")


@pytest.fixture
def old_key(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    return settings


def rotate(settings, keep_old=True):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY] if keep_old else []


def emailed_manage_link(booking):
    [message] = [m for m in mail.outbox if booking.reference in m.body and m.to == [booking.client_email]]
    return re.search(rf"/booking/manage/{booking.reference}/[^/\s]+/", message.body).group(0)


def altered(token):
    """The token with one character changed."""
    return token[:5] + ("B" if token[5] != "B" else "C") + token[6:]


def manage_path(booking, token):
    return f"/booking/manage/{booking.reference}/{token}/"


def test_emailed_manage_link_survives_key_rotation_and_forgeries_are_refused(client, old_key, service, monday,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.create_hold(service, ny(monday, 10), CLIENT)
    link = emailed_manage_link(booking)
    assert client.get(link).status_code == 200

    rotate(old_key)
    page = client.get(link)
    assert page.status_code == 200 and booking.reference in page.content.decode()
    fresh = manage_path(booking, manage_token(booking))  # e.g. in a reminder sent now
    assert fresh != link and client.get(fresh).status_code == 200

    token = link.split("/")[-2]
    assert client.get(manage_path(booking, altered(token))).status_code == 404
    forged = signing.Signer(key="attacker", salt="wagtail_booking.manage-link").signature(
        f"{booking.reference}:{booking.manage_token_salt}")
    assert client.get(manage_path(booking, forged)).status_code == 404
    other = services.create_hold(service, ny(monday, 11), CLIENT)
    assert client.get(manage_path(other, token)).status_code == 404

    rotate(old_key, keep_old=False)  # the old key retired: what it signed stops working, the rest does not
    assert client.get(link).status_code == 404 and client.get(fresh).status_code == 200


def test_cancelling_through_a_link_signed_with_the_old_key(client, old_key, service, monday):
    booking = services.create_hold(service, ny(monday, 10), CLIENT)
    link = manage_path(booking, manage_token(booking))
    rotate(old_key)
    response = client.post(link, {"action": "cancel", "confirm": "yes"})
    assert response.status_code == 200 and "cancelled" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED


def test_manage_link_from_before_the_upgrade_still_works(client, old_key, service, monday):
    """Earlier releases put a 40-digit hex HMAC in the link and stored its SHA-256; such links keep working."""
    booking = services.create_hold(service, ny(monday, 10), CLIENT)
    legacy = salted_hmac("wagtail_booking.manage-link", f"{booking.reference}:{booking.manage_token_salt}",
                         algorithm="sha256").hexdigest()[:40]
    Booking.objects.filter(pk=booking.pk).update(manage_token_hash=hashlib.sha256(legacy.encode()).hexdigest())
    rotate(old_key, keep_old=False)  # the stored hash does not depend on the key

    assert client.get(manage_path(booking, legacy)).status_code == 200
    assert client.get(manage_path(booking, altered(legacy))).status_code == 404
    assert client.get(manage_path(booking, manage_token(booking))).status_code == 200


def test_feed_link_survives_key_rotation_and_forgeries_are_refused(client, old_key, provider, service, monday):
    BookingFactory(service=service, provider=provider, start=ny(monday, 10))
    feed = reset_feed(provider)
    subscribed = feed_path(feed)
    assert client.get(subscribed).status_code == 200

    rotate(old_key)
    response = client.get(subscribed)
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content
    assert feed_path(feed) != subscribed and client.get(feed_path(feed)).status_code == 200
    token = subscribed.removesuffix(".ics").split("/")[-1]
    assert client.get(f"/booking/ical/{provider.pk}/{altered(token)}.ics").status_code == 404
    forged = signing.Signer(key="attacker", salt="wagtail_booking.sync.feed").signature(
        f"{provider.pk}:{feed.salt}")
    assert client.get(f"/booking/ical/{provider.pk}/{forged}.ics").status_code == 404

    rotate(old_key, keep_old=False)
    assert client.get(subscribed).status_code == 404 and client.get(feed_path(feed)).status_code == 200


def test_feed_link_from_before_the_upgrade_still_works(client, old_key, provider):
    feed = reset_feed(provider)
    legacy = salted_hmac("wagtail_booking.sync.feed", f"{provider.pk}:{feed.salt}", algorithm="sha256").hexdigest()
    assert client.get(f"/booking/ical/{provider.pk}/{legacy}.ics").status_code == 200
    rotate(old_key)  # an old-style URL follows the key rotation too, while the old key is a fallback
    assert client.get(f"/booking/ical/{provider.pk}/{legacy}.ics").status_code == 200
    assert client.get(f"/booking/ical/{provider.pk}/{altered(legacy)}.ics").status_code == 404
    reset_feed(provider)  # a new address revokes the old-style one as well
    assert client.get(f"/booking/ical/{provider.pk}/{legacy}.ics").status_code == 404
