"""Order totals, Oscar's payment Sources and what Stripe saw agree to the cent, for a mix of outcomes."""

from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.test import Client
from oscar.core.loading import get_model

from tests.checkout.conftest import Checkout, far
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.checkout.money import from_minor_units

Order = get_model("order", "Order")
Source = get_model("payment", "Source")

pytestmark = pytest.mark.django_db(transaction=True)


def test_orders_sources_and_stripe_agree(stripe_client, stripe_fake, massage, monday):
    def book(hour, day_offset=0):
        flow = Checkout(Client(), stripe_client, massage)
        flow.hold(far(monday + timedelta(days=day_offset), hour), email=f"c{hour}{day_offset}@example.com")
        flow.open_payment_page()
        flow.pay()
        flow.come_back()
        return flow, Booking.objects.get(reference=flow.hold_body["id"])

    kept = [book(9), book(11), book(13, 1)]
    _, cancelled_by_business = book(15)
    services.cancel(cancelled_by_business, by="staff")
    _, partly_refunded = book(9, 2)
    from wagtail_booking.checkout import facade

    facade.refund(facade.paid_payment(partly_refunded), Decimal("4.50"), "goodwill")
    declined_card = Checkout(Client(), stripe_client, massage)
    declined_card.hold(far(monday, 16), email="declined@example.com")
    declined_card.open_payment_page()
    with pytest.raises(stripe.CardError):
        declined_card.pay("pm_card_chargeDeclined")

    stripe_captured = sum(pi["amount_received"] for pi in stripe_fake.payment_intents.values())
    stripe_refunded = sum(refund["amount"] for refund in stripe_fake.refunds.values())
    orders_total = sum(order.total_incl_tax for order in Order.objects.all())
    debited = sum(source.amount_debited for source in Source.objects.all())
    refunded = sum(source.amount_refunded for source in Source.objects.all())
    ours_captured = sum(p.amount_captured for p in BookingPayment.objects.all())
    ours_refunded = sum(p.amount_refunded for p in BookingPayment.objects.all())

    assert Order.objects.count() == 5  # the declined card placed no order
    assert orders_total == Decimal("90.00") == debited == from_minor_units(stripe_captured, "USD") == ours_captured
    assert refunded == Decimal("22.50") == from_minor_units(stripe_refunded, "USD") == ours_refunded
    net_by_order = {s.order.number: s.amount_debited - s.amount_refunded for s in Source.objects.all()}
    assert sorted(net_by_order.values()) == [Decimal("0.00"), Decimal("13.50")] + [Decimal("18.00")] * 3
    assert len(kept) == 3
