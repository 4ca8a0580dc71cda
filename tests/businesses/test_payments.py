"""Stripe Connect with two businesses: B has its own Stripe account ready for charges, A has none. B's deposits are
direct charges on B's account with the platform's fee; A's go to the platform while the fallback is allowed, and
without it A's paid service cannot be held at all (the API says so before any hold exists; the block says so)."""

import json
from decimal import Decimal

import pytest

from tests.businesses.test_sites import B_HOST, hold, on
from tests.checkout.conftest import Checkout, far, stripe_client, stripe_fake, stripe_server  # noqa: F401
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.checkout.handoff import PaymentHandoff
from wagtail_booking.checkout.models import BookingPayment, StripeAccount

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
NOT_AVAILABLE = "online payment is not available for this business"


@pytest.fixture
def b_account(business_b, paid_services, stripe_client, stripe_fake):  # noqa: F811
    """B's own Stripe account, onboarded on the fake, with a 10% + $0.30 platform fee."""
    acct = stripe_client.v1.accounts.create(params={"type": "standard"}).id
    stripe_fake.complete_onboarding(acct)
    return StripeAccount.objects.create(site=business_b.site, account_id=acct, charges_enabled=True,
                                        details_submitted=True, payouts_enabled=True, fee_percent=D("10"),
                                        fee_fixed=D("0.30"))


def pay(host, service, start, stripe_client, account=""):  # noqa: F811
    flow = Checkout(on(host), stripe_client, service)
    flow.hold(start, email=f"{service.site.hostname}@example.com")
    page = flow.open_payment_page().content.decode()
    assert f'data-stripe-account="{account}"' in page  # Stripe.js acts on the account the payment lives on
    stripe_client.v1.payment_intents.confirm(flow.payment.payment_intent_id, params={"payment_method": "pm_card_visa"},
                                             options={"stripe_account": account} if account else {})
    assert flow.come_back().status_code == 302
    return flow.payment


def test_each_business_deposit_goes_where_it_belongs(paid_services, b_account, stripe_client, monday):  # noqa: F811
    service_a, service_b = paid_services
    on_b = pay(B_HOST, service_b, far(monday), stripe_client, account=b_account.account_id)
    on_platform = pay(None, service_a, far(monday), stripe_client)  # A has no account: the platform's (fallback)

    assert (on_b.state, on_b.stripe_account, on_b.application_fee) == ("captured", b_account.account_id, D("2.10"))
    intent = stripe_client.v1.payment_intents.retrieve(on_b.payment_intent_id,
                                                       options={"stripe_account": b_account.account_id})
    assert (intent.amount_received, intent.application_fee_amount) == (1800, 210)
    fee, = stripe_client.v1.application_fees.list().data
    assert (fee.amount, fee.account) == (210, b_account.account_id)

    assert (on_platform.state, on_platform.stripe_account, on_platform.application_fee) == ("captured", "", D("0"))
    assert stripe_client.v1.payment_intents.retrieve(on_platform.payment_intent_id).amount_received == 1800
    assert {b.site_id: b.status for b in Booking.objects.all()} == {
        service_a.site_id: Booking.Status.CONFIRMED, service_b.site_id: Booking.Status.CONFIRMED}


def test_without_the_fallback_a_business_without_an_account_cannot_be_held(
        paid_services, b_account, stripe_client, stripe_fake, monday, settings):  # noqa: F811
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "STRIPE_CONNECT_FALLBACK_TO_PLATFORM": False}
    service_a, service_b = paid_services

    response = hold(on(), service_a, far(monday))
    assert response.status_code == 409 and NOT_AVAILABLE in response.json()["detail"]
    assert not Booking.objects.exists() and stripe_fake.payment_intents == {}

    on_b = pay(B_HOST, service_b, far(monday), stripe_client, account=b_account.account_id)  # B is unaffected
    assert (on_b.state, on_b.stripe_account) == ("captured", b_account.account_id)
    assert list(Booking.objects.values_list("site_id", flat=True)) == [service_b.site_id]
    assert BookingPayment.objects.count() == 1


def block_page(business, title):
    from home.models import ContentPage

    return business.site.root_page.add_child(instance=ContentPage(title=title, slug="book", body=json.dumps([
        {"type": "booking", "value": {"service": business.service.pk, "provider": None, "heading": title,
                                      "intro": ""}}])))


def test_the_block_says_when_a_business_cannot_take_the_payment(
        business_a, business_b, b_account, monday, settings):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "STRIPE_CONNECT_FALLBACK_TO_PLATFORM": False}
    block_page(business_a, "Harbour")
    block_page(business_b, "Northside")
    a_page, b_page = on().get("/book/"), on(B_HOST).get("/book/")
    assert a_page.status_code == b_page.status_code == 200
    assert NOT_AVAILABLE in a_page.text and 'name="slot"' not in a_page.text
    assert NOT_AVAILABLE not in b_page.text and 'name="slot"' in b_page.text
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "STRIPE_CONNECT_FALLBACK_TO_PLATFORM": True}
    assert NOT_AVAILABLE not in on().get("/book/").text  # the platform takes A's deposits again


class LegacyHandoff(PaymentHandoff):
    """A hand-off written before ``is_available`` took the business."""

    calls = []

    def is_available(self):
        self.calls.append("called")
        return False


def test_a_hand_off_that_takes_no_site_is_still_asked(paid_services, monday, settings):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING,
                                "PAYMENT_HANDOFF": "tests.businesses.test_payments.LegacyHandoff"}
    service_a, _service_b = paid_services
    assert services.payment_available(service_a) is False and LegacyHandoff.calls == ["called"]
    with pytest.raises(services.NotAllowed, match=NOT_AVAILABLE):
        services.create_hold(service_a, far(monday), services.ClientDetails("Ann", "ann@example.com", "UTC"))
    assert not Booking.objects.exists()

