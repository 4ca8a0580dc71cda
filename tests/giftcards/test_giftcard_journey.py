"""Must show: a gift card bought through the fake Stripe with the real stripe-python, then spent across two
bookings to the cent: the first deposit paid by the card alone (no card asked), the second partly by the card and
the rest by Stripe. Oscar records the card as a payment source, never a discount."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from oscar.core.loading import get_model

from tests.checkout.conftest import Checkout, far
from tests.giftcards.helpers import apply_code, buy_card
from tests.reports.conftest import pdf_text
from wagtail_booking.bookings.models import Booking
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.giftcards.models import GiftCard, GiftCardHold

Order = get_model("order", "Order")
Source = get_model("payment", "Source")

pytestmark = pytest.mark.django_db(transaction=True)


def test_bought_then_spent_across_two_bookings_to_the_cent(client, stripe_client, stripe_fake, massage, monday):
    code = buy_card(client, stripe_client, amount="25.50")
    card = GiftCard.objects.get()
    assert (card.initial_value, card.balance, card.currency) == (Decimal("25.50"), Decimal("25.50"), "USD")
    assert code.replace("-", "").endswith(card.last4) and code.replace("-", "") not in str(card.__dict__)
    email = mail.outbox[-1]
    assert email.to == ["alex@example.com"] and email.cc == ["sam@example.com"]
    assert "Sam sent you a gift card" in email.body and "US$25.50" in email.body and "Happy birthday!" in email.body
    assert email.attachments[0][2] == "application/pdf" and email.attachments[0][1].startswith(b"%PDF")
    card_text = pdf_text(email.attachments[0][1])
    assert code in card_text and "US$25.50" in card_text and "Happy birthday!" in card_text and "Sam" in card_text
    bought = Order.objects.get()
    assert card.order == bought and bought.total_incl_tax == Decimal("25.50")
    assert stripe_fake.payment_intents[BookingPayment.objects.get().payment_intent_id]["amount"] == 2550

    # First booking: the $18.00 deposit, all on the card; no card asked, Oscar places the order.
    first = Checkout(Client(), stripe_client, massage)
    first.hold(far(monday, 10), email="alex@example.com")
    first.open_payment_page()
    page = apply_code(first, code.lower().replace("-", " "))
    html = page.content.decode()
    assert first.alerts == ["Gift card ····" + card.last4 + " pays US$18.00."], first.alerts
    assert "−US$18.00" in html and "Confirm and pay with the gift card" in html
    response = first.client.post("/shop/checkout/preview/", {"action": "place_order"})
    assert response.status_code == 302 and "/booking/booked/" in response["Location"], response.content[:2000]
    assert Booking.objects.get(reference=first.hold_body["id"]).status == "confirmed"
    card.refresh_from_db()
    assert card.balance == Decimal("7.50")
    order = Order.objects.exclude(pk=bought.pk).get()
    source = Source.objects.get(order=order)
    assert (source.label, source.amount_debited) == (f"Gift card ····{card.last4}", Decimal("18.00"))
    assert source.transactions.get().txn_type == "Debit" and order.total_incl_tax == Decimal("18.00")
    assert not order.discounts.exists()

    # Second booking: $7.50 left on the card, Stripe takes the other $10.50.
    second = Checkout(Client(), stripe_client, massage)
    second.hold(far(monday, 13), email="alex@example.com")
    second.open_payment_page()
    page = apply_code(second, code)
    assert "Pay US$10.50" in page.content.decode() and "−US$7.50" in page.content.decode()
    second.pay()
    response = second.come_back()
    assert response.status_code == 302 and "/booking/booked/" in response["Location"]
    card.refresh_from_db()
    assert card.balance == Decimal("0.00")
    assert list(card.entries.values_list("kind", "amount", "balance_after")) == [
        ("issued", Decimal("25.50"), Decimal("25.50")), ("redeemed", Decimal("-18.00"), Decimal("7.50")),
        ("redeemed", Decimal("-7.50"), Decimal("0.00"))]
    payment = second.payment
    assert payment.amount_captured == Decimal("10.50")
    assert stripe_fake.payment_intents[payment.payment_intent_id]["amount_received"] == 1050
    sources = {s.label: s.amount_debited for s in payment.order.sources.all()}
    assert sources == {"Card (Stripe)": Decimal("10.50"), f"Gift card ····{card.last4}": Decimal("7.50")}
    assert payment.order.total_incl_tax == Decimal("18.00") and not GiftCardHold.objects.exists()

    # Spent: a third basket is told so, and nothing is held.
    third = Checkout(Client(), stripe_client, massage)
    third.hold(far(monday, 15), email="alex@example.com")
    third.open_payment_page()
    assert "This gift card has no balance left to spend." in apply_code(third, code).content.decode()


def test_a_business_sells_its_gift_cards_in_its_own_currency(client, site_root):
    from wagtail.models import Site

    from wagtail_booking.site_settings import BusinessSettings

    site = Site.objects.get(is_default_site=True)
    BusinessSettings.objects.update_or_create(site=site, defaults={"currency": "CAD"})
    page = client.get("/booking/gift-cards/buy/").content.decode()

    assert "CA$10.00" in page and "US$" not in page  # the range, in the business's currency
