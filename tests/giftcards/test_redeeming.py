"""Applying a code on the payment page: every refusal is a message on the page (never a 500) and holds nothing;
a card failing at Stripe after a gift card was applied leaves the card, the order and the booking untouched;
20 racing redemptions of one card never take it below zero."""

from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
import stripe
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Site

from tests.bookings.racing import race
from tests.checkout.conftest import far
from tests.giftcards.helpers import apply_code
from wagtail_booking.bookings.models import Booking
from wagtail_booking.giftcards import ledger
from wagtail_booking.giftcards.models import GiftCard, GiftCardEntry, GiftCardHold

pytestmark = pytest.mark.django_db(transaction=True)


def new_card(value="25.00", currency="USD", site=None, **extra):
    site = site or Site.objects.get(is_default_site=True)
    return ledger.issue(site.pk, currency, Decimal(value), **extra)


@pytest.fixture
def at_payment(checkout, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    return checkout


def test_every_bad_code_is_a_clear_message_and_holds_nothing(at_payment):
    default = Site.objects.get(is_default_site=True)
    other = Site.objects.create(hostname="other.example", root_page=default.root_page, site_name="Other")
    _card, foreign = new_card(site=other)
    _card, euros = new_card(currency="EUR")
    _card, expired = new_card(expires_at=timezone.now() - timedelta(days=1))
    spent_card, spent = new_card("10.00")
    ledger.adjust(spent_card, Decimal("-10.00"), "Paid in the shop")
    cases = {
        "NOT-A-CODE": "We do not know this gift card code. Please check it and try again.",
        "2345-6789-ABCD-EFGH": "We do not know this gift card code. Please check it and try again.",
        foreign: "We do not know this gift card code. Please check it and try again.",
        euros: "This gift card is in EUR and this payment is in USD, so it cannot pay it.",
        expired: f"This gift card expired on {(timezone.now() - timedelta(days=1)).date().isoformat()}.",
        spent: "This gift card has no balance left to spend.",
        "": "Please type the gift card code.",
    }
    for code, message in cases.items():
        page = apply_code(at_payment, code)
        assert page.status_code == 200 and at_payment.alerts == [message], (code, at_payment.alerts)
        assert "Pay US$18.00" in page.content.decode()
    assert not GiftCardHold.objects.exists()


def test_stripe_declining_after_the_card_was_applied_changes_nothing(at_payment, stripe_fake):
    card, code = new_card("10.00")
    page = apply_code(at_payment, code)
    assert "Pay US$8.00" in page.content.decode()
    with pytest.raises(stripe.CardError):  # what Stripe.js shows the client on the page
        at_payment.pay(payment_method="pm_card_chargeDeclined")
    response = at_payment.come_back()
    assert response.status_code == 302  # back to the payment page, with the bank's answer
    card.refresh_from_db()
    assert card.balance == Decimal("10.00") and card.entries.count() == 1  # only "issued"
    assert GiftCardHold.objects.get().amount == Decimal("10.00")  # still applied for the next try
    assert not at_payment.payment.order_id
    from oscar.core.loading import get_model
    assert not get_model("order", "Order").objects.exists()
    # The client takes the gift card off: its balance is free again, the card pays all of it.
    from django.urls import reverse
    at_payment.client.post(reverse("wagtail_booking:giftcard-remove", args=[card.pk]))
    assert not GiftCardHold.objects.exists()
    assert "Pay US$18.00" in at_payment.client.get(reverse("checkout:payment-details")).content.decode()


def test_a_hold_lost_to_another_basket_refuses_the_order_and_gives_stripe_s_money_back(at_payment, stripe_fake):
    card, code = new_card("10.00")
    apply_code(at_payment, code)
    # The hold expires and another basket spends the card before this client comes back from Stripe.
    GiftCardHold.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    ledger.apply(card, 999999, Decimal("10.00"))
    ledger.redeem_basket(999999, "OTHER-1", Decimal("10.00"))
    at_payment.pay()
    at_payment.come_back()
    payment = at_payment.payment
    assert payment.order_id is None and payment.state == "refunded"
    assert stripe_fake.refunds and Booking.objects.get(reference=at_payment.hold_body["id"]).status == "held"
    card.refresh_from_db()
    assert card.balance == Decimal("0.00") and card.entries.filter(kind="redeemed").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="racing row locks needs PostgreSQL connections")
def test_twenty_racing_redemptions_never_take_a_card_below_zero():
    card, _code = new_card("100.00")

    def spend(basket_id):
        ledger.apply(card, basket_id, Decimal("18.00"))
        with transaction.atomic():
            return sum(r.amount for r in ledger.redeem_basket(basket_id, f"R{basket_id}", Decimal("18.00")))

    results = race(*[partial(spend, 1000 + i) for i in range(20)])
    card.refresh_from_db()
    spent = [r for r in results if isinstance(r, Decimal)]
    assert card.balance == Decimal("0.00")
    assert sum(spent) == Decimal("100.00") and sorted(s for s in spent if s)[:1] == [Decimal("10.00")]
    redeemed = GiftCardEntry.objects.filter(card=card, kind="redeemed")
    assert -sum(e.amount for e in redeemed) == Decimal("100.00") and redeemed.count() == 6
    assert all(isinstance(r, (Decimal, ledger.CardRefused)) for r in results), results
    assert not GiftCardHold.objects.exists()
    assert GiftCard.objects.get(pk=card.pk).balance >= 0


def test_a_booking_paid_by_gift_card_gives_the_card_back_its_part_when_cancelled(at_payment):
    from wagtail_booking.bookings import services

    card, code = new_card("25.00")
    apply_code(at_payment, code)
    response = at_payment.client.post("/shop/checkout/preview/", {"action": "place_order"})
    assert response.status_code == 302 and "/booking/booked/" in response["Location"]
    card.refresh_from_db()
    assert card.balance == Decimal("7.00")
    booking = Booking.objects.get(reference=at_payment.hold_body["id"])
    services.cancel(booking, by="staff")
    card.refresh_from_db()
    assert card.balance == Decimal("25.00")
    returned = card.entries.get(kind="returned")
    assert returned.amount == Decimal("18.00") and booking.reference in returned.reason
    # Given back once: returning the same order's part again finds nothing left to return.
    assert ledger.return_to_card(card, Decimal("18.00"), returned.order_number, "again") == Decimal("0")


def test_a_deposit_paid_partly_by_gift_card_gives_each_part_back_where_it_came_from(at_payment, stripe_fake):
    """$18: $10 from the card, $8 through Stripe; cancelled in time (full refund): $10 back on the card, $8 to the
    card at Stripe, each once."""
    from wagtail_booking.bookings import services
    from wagtail_booking.checkout.models import BookingPayment

    card, code = new_card("10.00")
    page = apply_code(at_payment, code)
    assert "Pay US$8.00" in page.content.decode()
    at_payment.pay()
    assert at_payment.come_back().status_code == 302
    card.refresh_from_db()
    assert card.balance == Decimal("0.00")
    booking = Booking.objects.get(reference=at_payment.hold_body["id"])
    services.cancel(booking, by="client")
    from wagtail_booking.giftcards import refunds

    assert refunds.return_for_cancellation(Booking.objects.get(pk=booking.pk), "client") == 0  # a rerun: nothing

    card.refresh_from_db()
    assert card.balance == Decimal("10.00")
    assert list(card.entries.filter(kind="returned").values_list("amount", flat=True)) == [Decimal("10.00")]
    payment = BookingPayment.objects.get(booking=booking)
    assert payment.amount_refunded == Decimal("8.00")
    refunds = [r for r in stripe_fake.refunds.values() if r["payment_intent"] == payment.payment_intent_id]
    assert [r["amount"] for r in refunds] == [800]
