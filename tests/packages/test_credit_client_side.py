"""What a client paying with a package credit reads and can do: the policy in terms of the credit (booked page,
confirmation email, manage page), and spending credits from a "my bookings" session opened from the buyer's email."""

import re
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.checkout.conftest import far
from tests.packages.conftest import buy_package, purchase_of
from tests.packages.test_packages import book_with_code, hold
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import manage_token
from wagtail_booking.checkout.models import CancellationPolicy, CancellationTier
from wagtail_booking.packages import credits

pytestmark = pytest.mark.django_db(transaction=True)

RETURNED_UNTIL = "If you cancel until "
USED_UP_AFTER = "your package credit is returned; after that, cancelling uses it up."


@pytest.fixture
def free_until_48_hours(massage):
    policy = CancellationPolicy.objects.create(name="48 hours")
    CancellationTier.objects.create(policy=policy, hours_before=48, refund_percent=Decimal("100"))
    massage.cancellation_policy = policy
    massage.save()
    return policy


def test_a_credit_booking_speaks_of_the_credit_not_a_deposit(stripe_client, stripe_fake, three_pack, massage, monday,
                                                           free_until_48_hours):
    client, _, code = buy_package(stripe_client, three_pack)
    booking = book_with_code(client, massage, far(monday), code)
    token = manage_token(booking)

    booked = client.get(reverse("wagtail_booking:booked", args=[booking.reference, token])).content.decode()
    email = next(m for m in reversed(mail.outbox) if "confirmed" in m.subject.lower()).body
    manage = client.get(reverse("wagtail_booking:manage", args=[booking.reference, token])).content.decode()
    for text in (booked, email, manage):
        words = re.sub(r"<[^>]+>", " ", text)
        assert RETURNED_UNTIL in words and USED_UP_AFTER in words
        assert not re.search(r"refund|deposit", words, re.IGNORECASE)  # no deposit paid, no refund promised
    # The deadline is the booking's, in the client's zone: 48 hours before 10:00 in New York.
    assert "(America/New_York)" in booked.split(RETURNED_UNTIL, 1)[1].split(USED_UP_AFTER, 1)[0]
    assert "Cancelling now returns your credit to your package." in manage


def test_late_the_manage_page_says_the_credit_is_used_up(stripe_client, stripe_fake, three_pack, massage, monday,
                                                         free_until_48_hours, time_machine):
    client, _, code = buy_package(stripe_client, three_pack)
    booking = book_with_code(client, massage, far(monday), code)
    time_machine.move_to(booking.start.timestamp() - 24 * 3600, tick=False)
    manage = client.get(reverse("wagtail_booking:manage", args=[booking.reference, manage_token(booking)]))
    text = manage.content.decode()
    assert "cancelling now uses up your package credit" in text
    assert "Cancelling uses up your package credit; it is not returned." in text  # the deadline has passed


def test_a_my_bookings_session_spends_the_buyers_credits(stripe_client, stripe_fake, three_pack, massage, monday):
    buy_package(stripe_client, three_pack)  # bought as a guest; the code stays in the purchase email
    browser = Client()
    session = browser.session
    session["wagtail_booking_my_bookings"] = {"site": purchase_of().site_id, "email": "PAT@example.com",
                                              "until": time.time() + 600}  # what opening the emailed link stores
    session.save()
    body = hold(browser, massage, far(monday), email="pat.at.work@example.com")  # booked under another address
    assert "/booking/credit/" in body["checkout_url"]  # offered the credits of the session's address
    page = browser.get(body["checkout_url"]).content.decode()
    assert "Three massages: 3 credits left" in page and "enter the credit code" not in page
    response = browser.post(body["checkout_url"], {"code": ""})
    assert response.status_code == 302 and "/booking/booked/" in response["Location"], response.content[:600]
    assert Booking.objects.get(reference=body["id"]).status == "confirmed"
    assert credits.balance_of(purchase_of()) == 2


def test_a_session_for_another_address_or_run_out_proves_nothing(stripe_client, stripe_fake, three_pack, massage,
                                                                 monday):
    buy_package(stripe_client, three_pack)
    for opened in ({"email": "someone.else@example.com", "until": time.time() + 600},
                   {"email": "pat@example.com", "until": time.time() - 1}):
        browser = Client()
        session = browser.session
        session["wagtail_booking_my_bookings"] = {"site": purchase_of().site_id, **opened}
        session.save()
        body = hold(browser, massage, far(monday))
        response = browser.post(body["checkout_url"], {"code": ""})
        assert response.status_code == 400 and "does not match any credits" in response.content.decode()
        assert Booking.objects.get(reference=body["id"]).status == "held"
        Booking.objects.filter(reference=body["id"]).delete()
    assert credits.balance_of(purchase_of()) == 3
