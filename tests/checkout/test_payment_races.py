"""Money races on real connections: the booking's status, Oscar's records and what Stripe holds always agree.

Each action runs in its own thread with its own PostgreSQL connection, released together by a barrier; the real
stripe-python talks to the loopback Stripe fake. After every round the books are balanced: what our payment row
says was captured and refunded, what Oscar's payment Source and its Transactions say, and what the fake Stripe
captured and refunded are the same amounts, and no refund was made twice.
"""

import json
from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from oscar.core.loading import get_model

from tests.bookings.racing import later, race, staff_action, staff_client, staff_refund, succeeded
from tests.checkout.conftest import Checkout, deliver
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import manage_token
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.checkout.money import from_minor_units

Source = get_model("payment", "Source")

pytestmark = [pytest.mark.django_db(transaction=True)]

ROUNDS = 24
DEPOSIT = Decimal("18.00")
AUTHORISE_ONLY = {**settings.WAGTAIL_BOOKING, "CARD_AUTHORIZATION_DAYS": 60}  # cards authorised, captured later


def slot(monday, round_number):
    """Each round's own hour: Mon-Fri 09:00-16:00, from three weeks ahead (outside the authorisation window)."""
    day = monday + timedelta(weeks=3 + round_number // 40, days=(round_number % 40) // 8)
    return ny(day, 9 + round_number % 8)


def paid_but_not_finalised(stripe_client, service, start, round_number):
    """A hold whose card Stripe has taken; our site has not heard of it yet (no webhook, no return)."""
    flow = Checkout(Client(), stripe_client, service)
    flow.hold(start, email=f"race{round_number}@example.com")
    flow.open_payment_page()
    flow.pay()
    return flow


def booking_of(flow):
    return Booking.objects.get(reference=flow.hold_body["id"])


def client_cancel_by_api(booking):
    response = Client().post(f"/booking/api/bookings/{booking.reference}/cancel",
                             data=json.dumps({"token": manage_token(booking)}), content_type="application/json")
    assert response.status_code in (200, 409), response.content
    return response.status_code == 200


def client_cancel_on_manage_page(booking):
    response = Client().post(f"/booking/manage/{booking.reference}/{manage_token(booking)}/",
                             {"action": "cancel", "confirm": "yes"})
    assert response.status_code in (200, 409), response.status_code
    return "Your booking is cancelled" in response.content.decode()


def staff_cancel(desk, booking):
    return succeeded(staff_action(desk, booking, "cancel"))


def staff_succeeds(press, desk, booking, *args):
    return succeeded(press(desk, booking, *args))


def deliver_event(stripe_fake, event):
    return deliver(Client(), stripe_fake, event=event).status_code


def webhook(stripe_fake, flow):
    """Stripe delivers payment_intent.succeeded for this payment."""
    intent_id = flow.payment.payment_intent_id
    event = next(e for e in stripe_fake.events
                 if e["type"] == "payment_intent.succeeded" and e["data"]["object"]["id"] == intent_id)
    return partial(deliver_event, stripe_fake, event)


def browser_return(flow):
    """The client's browser comes back from Stripe."""
    return partial(flow.client.get, reverse("checkout:stripe-return"),
                   {"payment_intent": flow.payment.payment_intent_id})


def balanced_books(payment_pk, stripe_fake):
    """Assert that our payment row, Oscar and the Stripe fake agree; returns (captured, refunded, Stripe refunds)."""
    payment = BookingPayment.objects.get(pk=payment_pk)
    with stripe_fake.lock:
        intent = dict(stripe_fake.payment_intents[payment.payment_intent_id])
        refunds = [dict(r) for r in stripe_fake.refunds.values() if r["payment_intent"] == intent["id"]]
    captured = from_minor_units(intent["amount_received"], "USD")
    refunded = from_minor_units(sum(r["amount"] for r in refunds), "USD")
    assert (payment.amount_captured, payment.amount_refunded) == (captured, refunded), (payment.state, intent)
    assert refunded <= captured
    if payment.order_id is None:
        assert not Source.objects.filter(reference=payment.payment_intent_id).exists()
        return payment, captured, refunded, refunds
    source = Source.objects.get(order_id=payment.order_id)
    assert (source.amount_debited, source.amount_refunded) == (captured, refunded)
    recorded = source.transactions.filter(txn_type="Refund")
    # Every refund Stripe made is recorded exactly once, under its own id, for its own amount.
    assert sorted((t.reference, t.amount) for t in recorded) == sorted(
        (r["id"], from_minor_units(r["amount"], "USD")) for r in refunds)
    return payment, captured, refunded, refunds


@pytest.mark.postgres_only("SQLite runs one write transaction at a time: one side always wins, so nothing races")
def test_client_cancels_a_hold_while_the_payment_completes(stripe_client, stripe_fake, massage, monday, admin_user):
    """Whoever comes first, the booking ends cancelled and the whole deposit goes back to the card, once."""
    desk = staff_client(admin_user)
    cancellers = [client_cancel_by_api, client_cancel_on_manage_page,
                  partial(staff_cancel, desk)]
    orders = {"cancel first": 0, "payment first": 0}
    for round_number in range(ROUNDS):
        flow = paid_but_not_finalised(stripe_client, massage, slot(monday, round_number), round_number)
        booking = booking_of(flow)
        cancel = cancellers[round_number % 3]
        finalise = (webhook(stripe_fake, flow), browser_return(flow))[round_number // 3 % 2]
        cancelled, answer = race(later(round_number % 12, partial(cancel, booking)), finalise)
        answer = getattr(answer, "status_code", answer)
        assert cancelled is True, f"round {round_number}: the cancellation failed: {cancelled!r}"
        assert answer in (200, 302), f"round {round_number}: the payment's finalisation answered {answer!r}"
        booking.refresh_from_db()
        assert booking.status == "cancelled", f"round {round_number}: told cancelled, but {booking.status}"
        payment, captured, refunded, refunds = balanced_books(flow.payment.pk, stripe_fake)
        assert captured == DEPOSIT and refunded == DEPOSIT and len(refunds) == 1, (round_number, refunds)
        assert payment.state == "refunded"
        orders["payment first" if payment.order_id else "cancel first"] += 1
    assert all(orders.values()), f"one side always won ({orders}): the actions did not race"


@pytest.mark.postgres_only("SQLite runs one write transaction at a time: one side always wins, so nothing races")
def test_staff_approve_while_the_client_cancels(stripe_client, stripe_fake, massage, monday, admin_user):
    """A request with an authorised card: approved-then-cancelled or cancelled; the money is never kept."""
    massage.booking_mode = "request"
    massage.save()
    desk = staff_client(admin_user)
    approvals = 0
    with override_settings(WAGTAIL_BOOKING=AUTHORISE_ONLY):
        for round_number in range(ROUNDS):
            flow = paid_but_not_finalised(stripe_client, massage, slot(monday, round_number), round_number)
            assert flow.come_back().status_code == 302
            booking = booking_of(flow)
            assert booking.status == "requested" and flow.payment.state == "authorised"
            cancel = (client_cancel_by_api, client_cancel_on_manage_page)[round_number % 2]
            # The client's side starts 0-11 page loads late, so the rounds sweep across the approval's commit.
            approved, cancelled = race(partial(staff_succeeds, staff_action, desk, booking, "approve"),
                                       later(round_number % 12, partial(cancel, booking)))
            booking.refresh_from_db()
            assert cancelled, f"round {round_number}: the client could not cancel (approved={approved})"
            assert booking.status == "cancelled", f"round {round_number}: approved={approved}, now {booking.status}"
            payment, captured, refunded, refunds = balanced_books(flow.payment.pk, stripe_fake)
            assert captured == refunded and len(refunds) <= 1, (round_number, payment.state, refunds)
            assert payment.state in ("released", "refunded")
            with stripe_fake.lock:
                at_stripe = stripe_fake.payment_intents[payment.payment_intent_id]["status"]
            assert at_stripe == ("canceled" if payment.state == "released" else "succeeded")
            approvals += approved
    assert 0 < approvals < ROUNDS, f"approve won {approvals} of {ROUNDS} rounds: the actions did not race"


def paid_booking(checkout_flow_service, stripe_client, monday, round_number):
    flow = paid_but_not_finalised(stripe_client, checkout_flow_service, slot(monday, round_number), round_number)
    assert flow.come_back().status_code == 302
    return flow, booking_of(flow)


def test_two_staff_refunds_at_once(stripe_client, stripe_fake, massage, monday, admin_user):
    first, second = staff_client(admin_user), staff_client(admin_user)
    for round_number in range(ROUNDS):
        flow, booking = paid_booking(massage, stripe_client, monday, round_number)
        results = race(partial(staff_succeeds, staff_refund, first, booking, "5.00"),
                       partial(staff_succeeds, staff_refund, second, booking, "5.00"))
        assert results == [True, True], f"round {round_number}: {results}"
        _, captured, refunded, refunds = balanced_books(flow.payment.pk, stripe_fake)
        assert (captured, refunded, len(refunds)) == (DEPOSIT, Decimal("10.00"), 2), round_number


def test_staff_refund_while_the_business_cancels(stripe_client, stripe_fake, massage, monday, admin_user):
    """A goodwill refund racing a cancellation (which refunds what is left): all of it back, nothing twice."""
    refunder, canceller = staff_client(admin_user), staff_client(admin_user)
    refund_first = 0
    for round_number in range(ROUNDS):
        flow, booking = paid_booking(massage, stripe_client, monday, round_number)
        # The cancellation reaches the payment late (its refund follows the commit): a wide sweep of the refund's
        # start lets it land before, during and after.
        refunded_5, cancelled = race(later(2 * round_number, partial(staff_succeeds, staff_refund, refunder,
                                                                      booking, "5.00")),
                                     partial(staff_succeeds, staff_action, canceller, booking, "cancel"))
        assert cancelled, f"round {round_number}: staff could not cancel a confirmed booking"
        booking.refresh_from_db()
        assert booking.status == "cancelled"
        payment, captured, refunded, refunds = balanced_books(flow.payment.pk, stripe_fake)
        assert (captured, refunded, payment.state) == (DEPOSIT, DEPOSIT, "refunded"), (round_number, refunds)
        # The goodwill refund either went through before the cancellation's, or was refused as nothing was left.
        assert len(refunds) == (2 if refunded_5 else 1), (round_number, refunded_5, refunds)
        refund_first += refunded_5
    assert 0 < refund_first < ROUNDS, f"the goodwill refund came first in {refund_first} of {ROUNDS} rounds"


def test_staff_refund_while_a_dashboard_refund_is_reported(stripe_client, stripe_fake, massage, monday,
                                                           admin_user):
    """Stripe reports a refund made in its Dashboard while staff refund on our site: both recorded, once each."""
    desk = staff_client(admin_user)
    for round_number in range(ROUNDS):
        flow, booking = paid_booking(massage, stripe_client, monday, round_number)
        intent_id = flow.payment.payment_intent_id
        stripe_client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 300})
        event = next(e for e in reversed(stripe_fake.events)
                     if e["type"] == "charge.refunded" and e["data"]["object"]["payment_intent"] == intent_id)
        refunded_5, answer = race(partial(staff_succeeds, staff_refund, desk, booking, "5.00"),
                                  partial(deliver_event, stripe_fake, event))
        assert refunded_5 and answer == 200, (round_number, refunded_5, answer)
        payment, captured, refunded, refunds = balanced_books(flow.payment.pk, stripe_fake)
        assert (captured, refunded, len(refunds)) == (DEPOSIT, Decimal("8.00"), 2), round_number
