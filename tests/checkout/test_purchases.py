"""A basket of products without a booking, paid through the Oscar checkout with the real stripe-python against
the fake: one order, captured at once, each line fulfilled exactly once however often Stripe or the client comes
back."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout.conftest import deliver
from wagtail_booking.checkout import facade, fulfilment
from wagtail_booking.checkout.models import BookingPayment

Order = get_model("order", "Order")
Source = get_model("payment", "Source")
ProductClass = get_model("catalogue", "ProductClass")
Product = get_model("catalogue", "Product")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def poster(stripe_fake):
    """A $25.50 product of a class registered for fulfilment; what the fulfilment saw is kept in a list."""
    seen = []
    product_class = ProductClass.objects.create(slug="test-poster", name="Poster", requires_shipping=False,
                                                track_stock=False)
    product = Product.objects.create(title="Studio poster", product_class=product_class, structure="standalone")
    partner, _ = Partner.objects.get_or_create(code="wagtail-booking", defaults={"name": "Bookings"})
    StockRecord.objects.create(product=product, partner=partner, partner_sku="poster", price=Decimal("25.50"),
                               price_currency=settings.OSCAR_DEFAULT_CURRENCY)
    fulfilment.register("test-poster", lambda order, line, payment: seen.append((order.number, line.pk, payment.pk)),
                        thanks_url=lambda order: f"/thanks/{order.number}/")
    yield product, seen
    fulfilment._registry.pop("test-poster", None)


def buy(client, stripe_client, product, email="buyer@example.com"):
    """Basket, the guest's email, the payment page, the card: what a browser does. Returns the payment page."""
    client.post(reverse("basket:add", args=[product.pk]), {"quantity": 2})
    client.post(reverse("checkout:index"), {"username": email, "options": "anonymous"})
    page = client.get(reverse("checkout:index"), follow=True)  # no shipping: Oscar goes on to the payment step
    assert page.status_code == 200, page.content[:2000]
    assert page.request["PATH_INFO"] == reverse("checkout:payment-details"), page.redirect_chain
    payment = page.context["payment"]
    stripe_client.v1.payment_intents.confirm(payment.payment_intent_id, params={
        "payment_method": "pm_card_visa", "return_url": "http://testserver/return"})
    return page


def test_a_purchase_is_paid_at_once_and_fulfilled_once(client, stripe_client, stripe_fake, poster):
    product, seen = poster
    page = buy(client, stripe_client, product)
    html = page.content.decode()
    assert "Pay for your purchase" in html and "Studio poster × 2" in html and "Pay US$51.00" in html
    payment = BookingPayment.objects.get()
    assert payment.booking is None and payment.kind == "purchase" and not payment.capture_manual
    response = client.get(reverse("checkout:stripe-return"), {"payment_intent": payment.payment_intent_id})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/thanks/{order.number}/"
    assert order.total_incl_tax == Decimal("51.00") and order.guest_email == "buyer@example.com"
    payment.refresh_from_db()
    assert payment.state == "captured" and payment.amount_captured == Decimal("51.00")
    assert Source.objects.get(order=order).amount_debited == Decimal("51.00")
    assert stripe_fake.payment_intents[payment.payment_intent_id]["status"] == "succeeded"
    # The webhook redelivered, the client reloading, a second finalise: still one order, one fulfilment.
    event = next(e for e in reversed(stripe_fake.events) if e["type"] == "payment_intent.succeeded")
    assert deliver(client, stripe_fake, event=event).status_code == 200
    assert deliver(client, stripe_fake, event=event).status_code == 200
    client.get(reverse("checkout:stripe-return"), {"payment_intent": payment.payment_intent_id})
    assert facade.finalise(payment.payment_intent_id).kind == "paid"
    assert facade.finalise(payment.payment_intent_id).kind == "paid"
    assert Order.objects.count() == 1
    assert seen == [(order.number, order.lines.get().pk, payment.pk)]


def test_the_webhook_alone_places_the_order_and_fulfils(client, stripe_client, stripe_fake, poster):
    """The client closes the tab after paying: Stripe's webhook places the order."""
    product, seen = poster
    buy(client, stripe_client, product)
    assert deliver(client, stripe_fake, "payment_intent.succeeded").status_code == 200
    order = Order.objects.get()
    assert len(seen) == 1 and BookingPayment.objects.get().order == order
