"""A 3-pack bought through the checkout, then booked three times with no payment; credits and cancellations."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout.conftest import far
from tests.helpers import ny
from tests.packages.conftest import buy_package, purchase_of
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import manage_token
from wagtail_booking.checkout.models import BookingPayment, CancellationPolicy, CancellationTier
from wagtail_booking.packages import credits
from wagtail_booking.packages.models import CreditEntry

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db(transaction=True)


def hold(client, service, start, email="pat@example.com"):
    response = client.post("/booking/api/holds", data=json.dumps({
        "service": service.pk, "start": start.isoformat(), "name": "Pat Payer", "email": email,
        "timezone": "America/New_York"}), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def book_with_code(client, service, start, code):
    body = hold(client, service, start)
    assert "/booking/credit/" in body["checkout_url"]  # offered a credit first
    page = client.get(body["checkout_url"])
    assert page.status_code == 200 and "Book with a credit" in page.content.decode()
    response = client.post(body["checkout_url"], {"code": code})
    assert response.status_code == 302 and "/booking/booked/" in response["Location"], response.content[:800]
    return Booking.objects.get(reference=body["id"])


def test_a_three_pack_bought_then_three_bookings_with_no_payment(stripe_client, stripe_fake, three_pack, massage,
                                                                 monday):
    client, landed, code = buy_package(stripe_client, three_pack)
    html = landed.content.decode()
    assert "Thank you for your purchase" in html and "Three massages" in html and "Credits left" in html
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("240.00")
    payment = BookingPayment.objects.get()
    assert payment.kind == "purchase" and payment.state == "captured" and payment.amount_captured == Decimal("240")
    purchase = purchase_of()
    assert (purchase.sessions, credits.balance_of(purchase), purchase.value_per_session) == (3, 3, Decimal("80.00"))
    assert purchase.expires_at.date().isoformat() == "2027-09-10"  # six months after 10 March 2027
    email = next(m for m in mail.outbox if "Three massages" in m.subject)
    assert "You have 3 credits" in email.body and "Massage" in email.body and code in email.body
    assert purchase.code_hash and code.replace("-", "") not in purchase.code_hash  # only the hash is stored

    booked = [book_with_code(client, massage, far(monday, hour), code) for hour in (10, 12)]
    # The client sees what is left: on the confirmation page and in the confirmation email.
    page = client.get(reverse("wagtail_booking:booked", args=[booked[1].reference, manage_token(booked[1])]))
    assert "Paid with a credit from Three massages: 1 credit left." in page.content.decode()
    confirmation = next(m for m in reversed(mail.outbox) if "confirmed" in m.subject.lower())
    assert "Paid with a credit from Three massages: 1 credit left." in confirmation.body
    assert "Valid until Fri 10 Sep 2027" in confirmation.body
    booked.append(book_with_code(client, massage, far(monday, 14), code))
    assert all(b.status == "confirmed" for b in booked)
    assert BookingPayment.objects.count() == 1  # no deposit was charged for any of them
    assert credits.balance_of(purchase) == 0
    assert sorted(e.booking_id for e in CreditEntry.objects.filter(kind="used")) == sorted(b.pk for b in booked)
    # No credits left: the next hold goes to the card payment.
    assert "/booking/pay/" in hold(client, massage, far(monday, 16))["checkout_url"]


def test_my_bookings_lists_the_credits_left(stripe_client, stripe_fake, three_pack, massage):
    client, _, _code = buy_package(stripe_client, three_pack)
    session = client.session
    session["wagtail_booking_my_bookings"] = {"site": purchase_of().site_id, "email": "pat@example.com",
                                              "until": 10**12}  # what opening the emailed link stores
    session.save()
    html = client.get(reverse("wagtail_booking:my-bookings-list")).content.decode()
    assert "Your credits" in html and "Three massages: 3 credits left" in html


def test_a_wrong_code_books_nothing_and_says_why(stripe_client, stripe_fake, three_pack, massage, monday):
    client, _, code = buy_package(stripe_client, three_pack)
    body = hold(client, massage, far(monday))
    response = client.post(body["checkout_url"], {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 400 and "does not match any credits for Massage" in response.content.decode()
    assert Booking.objects.get(reference=body["id"]).status == "held"
    assert credits.balance_of(purchase_of()) == 3


def test_credit_returned_in_policy_used_up_late_returned_when_the_business_cancels(
        stripe_client, stripe_fake, three_pack, massage, monday):
    policy = CancellationPolicy.objects.create(name="48 hours")
    CancellationTier.objects.create(policy=policy, hours_before=48, refund_percent=Decimal("100"))
    massage.cancellation_policy = policy
    massage.cancellation_cutoff_hours = 0
    massage.save()
    client, _, code = buy_package(stripe_client, three_pack)
    purchase = purchase_of()
    early, late, by_business = (book_with_code(client, massage, far(monday, hour), code) for hour in (10, 12, 14))
    assert credits.balance_of(purchase) == 0

    services.cancel(early, by="client", now=early.start - timedelta(hours=72))  # inside the policy: back
    assert credits.balance_of(purchase) == 1
    services.cancel(late, by="client", now=late.start - timedelta(hours=24))  # late: used up
    assert credits.balance_of(purchase) == 1
    services.cancel(by_business, by="staff", now=by_business.start - timedelta(hours=1))  # the business: back
    assert credits.balance_of(purchase) == 2
    kinds = list(CreditEntry.objects.filter(purchase=purchase).values_list("kind", "change"))
    assert kinds == [("granted", 3), ("used", -1), ("used", -1), ("used", -1), ("returned", 1), ("returned", 1)]
    # A returned credit books again.
    assert book_with_code(client, massage, far(monday, 16), code).status == "confirmed"


def test_expired_credits_stop_working_and_are_written_off(stripe_client, stripe_fake, three_pack, massage, monday,
                                                          time_machine):
    client, _, code = buy_package(stripe_client, three_pack)
    purchase = purchase_of()
    time_machine.move_to(purchase.expires_at + timedelta(minutes=1), tick=False)
    body = hold(Client(), massage, ny(monday + timedelta(weeks=30), 10))
    assert "/booking/pay/" in body["checkout_url"]  # no usable credits: straight to the card
    from wagtail_booking.packages.tasks import expire_credits_task

    expire_credits_task.call_local()
    expire_credits_task.call_local()  # twice: written off once
    assert credits.balance_of(purchase) == 0
    assert list(purchase.entries.filter(kind="expired").values_list("change", flat=True)) == [-3]
