"""A balance link after the visit, paid with a tip through the Oscar checkout with the real stripe-python against
the fake: the amounts to the cent in Stripe, the Oscar order, the invoice, the tip; nothing charged twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout.conftest import deliver, far, paid_booking
from tests.reports.conftest import pdf_text
from wagtail_booking.bookings import services as booking_services
from wagtail_booking.bookings.tokens import manage_token
from wagtail_booking.checkout import facade
from wagtail_booking.checkout.balances import links, services
from wagtail_booking.checkout.balances.models import Tip
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.reports.invoices import ensure_pdf
from wagtail_booking.reports.models import Invoice

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def visited(stripe_client, massage, monday, time_machine):
    """A $90 massage whose $18.00 deposit was paid; the appointment is over and marked completed."""
    booking = paid_booking(stripe_client, massage, far(monday), "pat@example.com")
    time_machine.move_to(booking.end + timedelta(minutes=5), tick=True)
    booking_services.mark_outcome(booking, "completed")
    booking.refresh_from_db()
    return booking


def open_link(client, booking, token=None):
    return client.get(links.balance_path(booking, token))


def pay_balance(client, stripe_client, booking, tip="15", other=""):
    """The client opens the link, picks a tip, "Pay", and Stripe.js confirms the card; returns the payment."""
    url = links.balance_path(booking)
    response = client.post(url, {"tip": tip, "other": other})
    assert response.status_code == 302, response.content[:2000]
    page = client.get(response["Location"], follow=True)
    assert page.request["PATH_INFO"] == reverse("checkout:payment-details"), page.redirect_chain
    payment = page.context["payment"]
    stripe_client.v1.payment_intents.confirm(payment.payment_intent_id, params={
        "payment_method": "pm_card_visa", "return_url": "http://testserver/return"})
    return page, BookingPayment.objects.get(pk=payment.pk)


def test_balance_with_add_on_and_tip_paid_once(client, stripe_client, stripe_fake, visited):
    services.add_add_on(visited, "Aromatherapy oil", Decimal("8.00"))
    page = open_link(client, visited)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Aromatherapy oil" in html and "US$8.00" in html and "US$18.00" in html  # add-on, deposit paid
    assert "US$80.00" in html and "15% (US$12.00)" in html  # 90 + 8 - 18 due; a 15% tip

    manage = reverse("wagtail_booking:manage", args=[visited.reference, manage_token(visited)])
    assert "Balance due: US$80.00." in client.get(manage).content.decode()  # the client's manage page

    page, payment = pay_balance(client, stripe_client, visited, tip="15")
    assert "Pay your balance" in page.content.decode() and "Pay US$92.00" in page.content.decode()
    assert payment.kind == "balance" and payment.booking == visited and not payment.capture_manual
    assert stripe_fake.payment_intents[payment.payment_intent_id]["amount"] == 9200

    response = client.get(reverse("checkout:stripe-return"), {"payment_intent": payment.payment_intent_id})
    assert response.status_code == 302 and response["Location"].startswith(f"/booking/balance/{visited.reference}/")
    thanks = client.get(response["Location"])
    assert "Paid in full" in thanks.content.decode()
    assert "Paid in full. Thank you!" in client.get(manage).content.decode()

    payment.refresh_from_db()
    order = payment.order
    assert payment.state == "captured" and payment.amount_captured == Decimal("92.00")
    assert stripe_fake.payment_intents[payment.payment_intent_id]["status"] == "succeeded"
    assert order.total_incl_tax == Decimal("92.00")
    assert sorted((line.product.product_class.slug, line.line_price_incl_tax) for line in order.lines.all()) == [
        ("balance", Decimal("80.00")), ("tip", Decimal("12.00"))]
    tip = Tip.objects.get()
    assert (tip.amount, tip.provider, tip.booking) == (Decimal("12.00"), visited.provider, visited)
    assert services.balance_of(visited).paid_in_full
    invoice = Invoice.objects.get(order=order)
    assert invoice.amount == Decimal("92.00") and invoice.booking == visited
    text = pdf_text(ensure_pdf(invoice))
    assert "Balance of Massage after the visit" in text and "US$80.00" in text
    assert "Tip for Maya" in text and "US$12.00" in text and "US$92.00" in text and "Deposit" not in text
    deposit_invoice = Invoice.objects.exclude(order=order).get()
    assert invoice.sequence == deposit_invoice.sequence + 1  # gapless: the next number of the business
    assert any("Balance paid" in message.subject or "Pagado" in message.subject for message in mail.outbox)

    # Redelivered webhook, a reload of the return page, the link opened again: nothing is charged twice.
    event = next(e for e in reversed(stripe_fake.events) if e["type"] == "payment_intent.succeeded")
    assert deliver(client, stripe_fake, event=event).status_code == 200
    assert deliver(client, stripe_fake, event=event).status_code == 200
    client.get(reverse("checkout:stripe-return"), {"payment_intent": payment.payment_intent_id})
    assert facade.finalise(payment.payment_intent_id).kind == "paid"
    again = open_link(client, visited)
    assert again.status_code == 200 and "Paid in full" in again.content.decode()
    assert client.post(links.balance_path(visited), {"tip": "none"}).status_code == 200  # no basket, no charge
    assert Order.objects.filter(number=order.number).count() == 1 and Tip.objects.count() == 1
    assert BookingPayment.objects.filter(kind="balance").count() == 1
    assert Invoice.objects.filter(order=order).count() == 1


def test_a_second_tab_paying_the_same_balance_is_given_back(client, stripe_client, stripe_fake, visited):
    from django.test import Client

    other = Client()
    _, first = pay_balance(client, stripe_client, visited, tip="none")
    _, second = pay_balance(other, stripe_client, visited, tip="other", other="5")
    assert facade.finalise(first.payment_intent_id).kind == "paid"
    outcome = facade.finalise(second.payment_intent_id)
    assert outcome.kind == "lost" and "already paid" in outcome.message
    second.refresh_from_db()
    assert second.state == "refunded" and second.amount_refunded == Decimal("77.00")
    assert stripe_fake.payment_intents[first.payment_intent_id]["amount"] == 7200
    assert Tip.objects.count() == 0 and services.balance_of(visited).paid_in_full


def test_tip_errors_are_form_errors(client, visited):
    url = links.balance_path(visited)
    for other, words in (("-3", "cannot be negative"), ("abc", "as a number"), ("9999", "at most US$500.00"),
                         ("", "Enter the tip")):
        response = client.post(url, {"tip": "other", "other": other})
        assert response.status_code == 400 and words in response.content.decode(), other
    assert client.post(url, {"tip": "99"}).status_code == 400


def test_tampered_and_expired_links(client, visited, time_machine):
    token = links.balance_token(visited)
    assert open_link(client, visited, token[:-2] + "xx").status_code == 404
    time_machine.move_to(visited.end + timedelta(days=31), tick=True)
    response = open_link(client, visited, token)
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_no_balance_before_the_appointment_starts(stripe_client, massage, monday):
    booking = paid_booking(stripe_client, massage, far(monday), "pat@example.com")
    assert not services.can_request(booking)


@pytest.mark.postgres_only("SQLite runs one write transaction at a time: one side always wins, so nothing races")
def test_two_tabs_finalising_at_the_same_moment_keep_one_balance(client, stripe_client, stripe_fake, visited):
    """Two payments of the same balance, finalised together by the return page and a webhook on two connections:
    one is kept, the other given back in full, and Stripe's records agree."""
    from django.test import Client

    from tests.bookings.racing import race

    for round_number in range(4):
        if round_number:  # the next round: a new add-on makes a balance due again
            services.add_add_on(visited, f"Extra {round_number}", Decimal("10.00"))
        due = services.balance_of(visited).due
        _, first = pay_balance(Client(), stripe_client, visited, tip="none")
        _, second = pay_balance(Client(), stripe_client, visited, tip="10")
        outcomes = race(lambda p=first: facade.finalise(p.payment_intent_id),
                        lambda p=second: facade.finalise(p.payment_intent_id))
        assert sorted(outcome.kind for outcome in outcomes) == ["lost", "paid"], outcomes
        assert services.balance_of(visited).paid_in_full
        for payment in (first, second):
            payment.refresh_from_db()
            intent = stripe_fake.payment_intents[payment.payment_intent_id]
            kept = payment.amount_captured - payment.amount_refunded
            assert kept in (Decimal("0"), payment.amount) and kept * 100 == intent["amount_received"] - sum(
                refund["amount"] for refund in stripe_fake.refunds.values()
                if refund["payment_intent"] == payment.payment_intent_id)
        kept = [p for p in (first, second) if p.state == "captured"]
        assert len(kept) == 1 and kept[0].amount in (due, due + (due / 10).quantize(Decimal("0.01")))
