"""Claims racing, each on its own database connection: exactly one wins, whatever meets whom."""

import functools

import pytest
from django.test import Client

from tests.bookings.racing import race
from tests.helpers import ny
from tests.waitlist.support import claim_path, client, fill, offer_emails, small_service, wait
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.notifications.waitlist import send_offer
from wagtail_booking.waitlist import offers
from wagtail_booking.waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 4


def offered_place(monday):
    """A full Monday, Ana on its waitlist, the 09:30 place cancelled: Ana holds an offer (her claim path)."""
    service, _provider = small_service()
    _first, second = fill(service, monday)
    ana = wait(service, monday, "Ana")
    services.cancel(second, by="staff")  # transactional test: the offer task runs on the commit
    return service, ana, claim_path(offer_emails("ana@example.com")[-1])


def post(path, index):
    return Client(REMOTE_ADDR=f"10.0.1.{index}").post(path).status_code


def live_at(service, start):
    return Booking.objects.filter(service=service, start=start, status__in=Booking.BLOCKING_STATUSES).count()


def test_the_same_link_twice_books_once(monday):
    service, ana, path = offered_place(monday)
    codes = race(*(functools.partial(post, path, index) for index in range(ROUNDS)))
    assert sorted(codes) == [302] + [410] * (ROUNDS - 1)
    assert live_at(service, ny(monday, 9, 30)) == 1
    ana.refresh_from_db()
    assert ana.status == WaitlistEntry.Status.CLAIMED and ana.booking.client_email == "ana@example.com"


def test_a_claim_against_a_direct_booking_one_wins(monday):
    service, ana, path = offered_place(monday)

    def direct():
        try:
            services.create_hold(service, ny(monday, 9, 30), client("Quick"))
            return 201
        except services.SlotUnavailable:
            return 409

    codes = sorted(race(functools.partial(post, path, 1), direct))
    assert codes in ([201, 409], [302, 409])  # the claim lost (409 page) or the direct booking did
    assert live_at(service, ny(monday, 9, 30)) == 1
    ana.refresh_from_db()
    assert ana.status == (WaitlistEntry.Status.CLAIMED if 302 in codes else WaitlistEntry.Status.WAITING)


def test_two_entries_offered_the_same_place_one_wins(monday):
    service, ana, ana_path = offered_place(monday)
    ben = wait(service, monday, "Ben")
    assert offers.offer_now(ben) is None  # the only free place is under Ana's live offer: never offered twice
    # Both hold an offer of it all the same (say, a restored backup): the booking's own guarantee decides.
    ana.refresh_from_db()
    WaitlistEntry.objects.filter(pk=ben.pk).update(
        status="offered", offered_start=ana.offered_start, offered_provider=ana.offered_provider_id,
        offered_at=ana.offered_at, offer_expires_at=ana.offer_expires_at)
    assert send_offer(ben.pk, ana.offered_at.isoformat())
    ben_path = claim_path(offer_emails("ben@example.com")[-1])
    codes = sorted(race(functools.partial(post, ana_path, 1), functools.partial(post, ben_path, 2)))
    assert codes == [302, 409]
    assert live_at(service, ny(monday, 9, 30)) == 1
