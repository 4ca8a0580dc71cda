"""Stripe Connect with the real stripe-python against the loopback fake: a business's deposits are direct charges
on its own Stripe account with the platform's fee; refunds, Connect webhooks and reconciliation per account;
the fallback to the platform account when a business has none."""

import json
from decimal import Decimal

import pytest
import stripe
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from fakes.stripe_server import sign
from oscar.core.loading import get_model
from wagtail.models import Site

from tests.checkout.conftest import CONNECT_WEBHOOK_SECRET, WEBHOOK_SECRET, Checkout, far
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.checkout import facade
from wagtail_booking.checkout.models import BookingPayment, StripeAccount
from wagtail_booking.checkout.reconcile import reconcile

Source = get_model("payment", "Source")
D = Decimal

pytestmark = pytest.mark.django_db(transaction=True)


TEN_PERCENT, THIRTY_CENTS = D("10"), D("0.30")


def connected_account(stripe_client, stripe_fake, percent=TEN_PERCENT, fixed=THIRTY_CENTS, ready=True):
    """The default site's business with its own Stripe account, onboarded on the fake."""
    acct = stripe_client.v1.accounts.create(params={"type": "standard"}).id
    if ready:
        stripe_fake.complete_onboarding(acct)
    return StripeAccount.objects.create(site=Site.objects.get(is_default_site=True), account_id=acct,
                                        charges_enabled=ready, details_submitted=ready, payouts_enabled=ready,
                                        fee_percent=percent, fee_fixed=fixed)


@pytest.fixture
def business(site_root, stripe_client, stripe_fake):
    return connected_account(stripe_client, stripe_fake)


def deliver_connect(client, event, secret=CONNECT_WEBHOOK_SECRET, path="/booking/stripe/connect-webhook/"):
    payload = json.dumps(event).encode()
    return client.post(path, data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign(payload, secret))


def last_event(fake, event_type):
    return next(e for e in reversed(fake.events) if e["type"] == event_type)


def test_deposit_is_a_direct_charge_on_the_business_account_with_the_platform_fee(
        checkout, business, stripe_fake, stripe_client, monday):
    checkout.hold(far(monday))
    page = checkout.open_payment_page()
    # Stripe.js on the payment page acts on the business's account, where the PaymentIntent lives.
    assert f'data-stripe-account="{business.account_id}"' in page.content.decode()
    stripe_client.v1.payment_intents.confirm(checkout.payment.payment_intent_id,
                                             params={"payment_method": "pm_card_visa"},
                                             options={"stripe_account": business.account_id})
    response = checkout.come_back()
    assert response.status_code == 302 and "/booking/booked/" in response["Location"]

    payment = checkout.payment
    assert (payment.state, payment.stripe_account, payment.amount_captured) == (
        "captured", business.account_id, D("18.00"))
    assert payment.application_fee == D("2.10")  # 10% of $18.00 + $0.30
    intent = stripe_client.v1.payment_intents.retrieve(payment.payment_intent_id,
                                                       options={"stripe_account": business.account_id})
    assert (intent.amount_received, intent.application_fee_amount) == (1800, 210)
    with pytest.raises(stripe.InvalidRequestError):  # not on the platform's own account
        stripe_client.v1.payment_intents.retrieve(payment.payment_intent_id)
    fee, = stripe_client.v1.application_fees.list().data
    assert (fee.amount, fee.account) == (210, business.account_id)
    assert Booking.objects.get(reference=checkout.hold_body["id"]).status == Booking.Status.CONFIRMED


def pay(checkout, account, start):
    checkout.hold(start)
    checkout.open_payment_page()
    checkout.stripe.v1.payment_intents.confirm(checkout.payment.payment_intent_id,
                                               params={"payment_method": "pm_card_visa"},
                                               options={"stripe_account": account})
    checkout.come_back()
    return checkout.payment


def test_refunds_are_made_on_the_account_and_give_back_the_fee_in_proportion(
        checkout, business, stripe_fake, stripe_client, monday):
    payment = pay(checkout, business.account_id, far(monday))
    facade.refund(payment, D("9.00"), "goodwill")
    refund, = stripe_client.v1.refunds.list(options={"stripe_account": business.account_id}).data
    assert refund.amount == 900
    assert stripe_client.v1.application_fees.list().data[0].amount_refunded == 105  # half of $2.10

    services.cancel(Booking.objects.get(reference=checkout.hold_body["id"]), by="staff")  # everything back
    payment.refresh_from_db()
    assert (payment.state, payment.amount_refunded) == ("refunded", D("18.00"))
    fee = stripe_client.v1.application_fees.list().data[0]
    assert (fee.amount_refunded, fee.refunded) == (210, True)
    assert Source.objects.get().amount_refunded == D("18.00")


def test_authorised_deposit_is_captured_on_the_account_and_the_fee_follows_what_is_kept(
        checkout, business, stripe_fake, stripe_client, monday, massage, settings):
    massage.booking_mode = "request"  # the deposit stays authorised until the business approves
    massage.save()
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "CARD_AUTHORIZATION_DAYS": 60}  # authorise, not charge
    payment = pay(checkout, business.account_id, ny(monday, 10))
    assert payment.state == "authorised" and stripe_client.v1.application_fees.list().data == []
    facade.refund(payment, D("9.00"), "Cancelled by the client (policy refund)")  # keeps $9.00
    payment.refresh_from_db()
    assert (payment.state, payment.amount_captured, payment.application_fee) == ("captured", D("9.00"), D("1.20"))
    fee, = stripe_client.v1.application_fees.list().data
    assert fee.amount == 120  # 10% of $9.00 + $0.30


def test_a_connect_webhook_confirms_the_booking(client, checkout, business, stripe_fake, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    checkout.stripe.v1.payment_intents.confirm(checkout.payment.payment_intent_id,
                                               params={"payment_method": "pm_card_visa"},
                                               options={"stripe_account": business.account_id})
    event = last_event(stripe_fake, "payment_intent.succeeded")
    assert event["account"] == business.account_id
    booking = Booking.objects.get(reference=checkout.hold_body["id"])

    # Signed with the platform's secret, or sent to the platform's endpoint: refused or not ours there.
    assert deliver_connect(client, event, secret=WEBHOOK_SECRET).status_code == 400
    on_platform = {**event, "id": "evt_copy_on_platform"}  # (Stripe sends an event to one endpoint only)
    assert deliver_connect(client, on_platform, secret=WEBHOOK_SECRET,
                           path="/booking/stripe/webhook/").status_code == 200
    # Another account cannot claim this payment.
    forged = {**event, "id": "evt_forged", "account": "acct_someone_else"}
    assert deliver_connect(client, forged).status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD

    assert deliver_connect(client, event).status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert deliver_connect(client, event).content == b"Already processed."


def test_account_updated_event_refreshes_the_status_and_new_deposits_fall_back(
        client, checkout, business, stripe_fake, monday):
    stripe_fake.restrict_account(business.account_id)
    assert deliver_connect(client, last_event(stripe_fake, "account.updated")).status_code == 200
    business.refresh_from_db()
    assert (business.charges_enabled, business.disabled_reason) == (False, "requirements.past_due")

    payment = pay(checkout, "", far(monday))  # fallback allowed (the default): the platform's account
    assert (payment.state, payment.stripe_account, payment.application_fee) == ("captured", "", D("0"))


def test_without_a_ready_account_and_no_fallback_the_client_is_told_and_nothing_is_charged(
        checkout, site_root, stripe_client, stripe_fake, monday, settings):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "STRIPE_CONNECT_FALLBACK_TO_PLATFORM": False}
    account = connected_account(stripe_client, stripe_fake)
    checkout.hold(far(monday))
    # Stripe restricts the account between the hold and the payment page.
    StripeAccount.objects.filter(pk=account.pk).update(charges_enabled=False)
    page = checkout.open_payment_page()
    assert page.status_code == 200
    assert "cannot take card payments online yet" in page.content.decode()
    assert stripe_fake.payment_intents == {} and not BookingPayment.objects.exists()
    # New holds are refused before they exist.
    refused = Client().post("/booking/api/holds", data=json.dumps({
        "service": checkout.service.pk, "start": far(monday, 14).isoformat(), "name": "Pat Payer",
        "email": "pat@example.com", "timezone": "America/New_York"}), content_type="application/json")
    assert refused.status_code == 409
    assert "online payment is not available for this business" in refused.json()["detail"]
    assert Booking.objects.count() == 1


def test_reconciliation_per_account(checkout, site_root, stripe_client, stripe_fake, monday):
    on_platform = pay(checkout, "", far(monday, 9))  # before the business connected
    business = connected_account(stripe_client, stripe_fake)
    paid = [pay(Checkout(Client(), stripe_client, checkout.service), business.account_id, far(monday, hour))
            for hour in (11, 13, 15)]
    facade.refund(paid[0], D("18.00"), "goodwill")
    facade.refund(on_platform, D("5.00"), "goodwill")

    platform, connected = reconcile()
    assert (platform.account, platform.captured, platform.refunded, platform.fees) == ("", D("18.00"), D("5.00"),
                                                                                      D("0"))
    assert platform.agrees
    assert connected.account == business.account_id and connected.agrees
    assert (connected.stripe_captured, connected.stripe_refunded) == (D("54.00"), D("18.00"))
    assert (connected.stripe_fees, connected.stripe_fees_refunded) == (D("6.30"), D("2.10"))
    call_command("booking_stripe_reconcile")

    # A refund made in the business's Stripe Dashboard that we have not recorded shows up as a difference.
    stripe_client.v1.refunds.create(params={"payment_intent": paid[1].payment_intent_id, "amount": 100},
                                    options={"stripe_account": business.account_id})
    platform, connected = reconcile()
    assert platform.agrees and not connected.agrees and connected.differing == [paid[1].payment_intent_id]
    with pytest.raises(CommandError):
        call_command("booking_stripe_reconcile")
