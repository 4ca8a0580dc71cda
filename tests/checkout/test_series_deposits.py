"""A series of a service with a deposit, paid per appointment: the first deposit at booking through the checkout,
each later one before its appointment (its link emailed a week ahead), an unpaid one released at its deadline."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from tests.checkout.conftest import Checkout, far
from tests.factories.booking import ServiceFactory
from wagtail_booking.bookings import series, services
from wagtail_booking.bookings.availability import available_slots
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import manage_token
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.notifications import series_deposits

pytestmark = pytest.mark.django_db(transaction=True)
DUE = timedelta(hours=48)


@pytest.fixture
def coaching(provider, stripe_fake):
    """$90 a session, 20% deposit ($18.00), bookable as a weekly series."""
    return ServiceFactory(name="Coaching", providers=[provider], duration_minutes=60, price=Decimal("90.00"),
                          deposit_kind="percent", deposit_value=Decimal("20"), allow_series=True)


def book_series(client, service, first, count=4):
    response = client.post("/booking/api/series", data=json.dumps({
        "service": service.pk, "start": first.isoformat(), "timezone": "Europe/London", "count": count,
        "name": "Ann Client", "email": "ann@example.com"}), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def pay(client, stripe_client, service, reference, checkout_url):
    flow = Checkout(client, stripe_client, service)
    flow.hold_body = {"id": reference, "checkout_url": checkout_url}
    flow.open_payment_page()
    flow.pay()
    flow.come_back()
    return flow


def rows(data):
    return [Booking.objects.get(reference=item["id"]) for item in data["bookings"]]


def offered(service, booking):
    return booking.start in {slot.start for slot in available_slots(service, booking.start - timedelta(hours=1),
                                                                    booking.start + timedelta(hours=2))}


def manage_page(client, booking):
    return client.get(f"/booking/manage/{booking.reference}/{manage_token(booking)}/").content.decode()


@pytest.fixture
def paid_first(client, stripe_client, coaching, monday):
    """Ann books four Mondays and pays the first deposit."""
    data = book_series(client, coaching, far(monday))
    assert data["next_step"] == "payment" and data["checkout_url"].endswith(
        f"/booking/pay/{data['bookings'][0]['id']}/{data['bookings'][0]['manage_token']}/")
    assert [item["status"] for item in data["bookings"]] == ["held"] * 4
    pay(client, stripe_client, coaching, data["bookings"][0]["id"], data["checkout_url"])
    return rows(data)


def test_the_first_deposit_is_paid_at_booking_and_each_later_date_is_kept_until_its_own_is_due(
        client, coaching, paid_first):
    first, *later = paid_first
    assert first.status == "confirmed"
    assert BookingPayment.objects.get(booking=first).amount_captured == Decimal("18.00")
    assert not BookingPayment.objects.filter(booking__in=later).exists()
    assert [(row.status, row.deposit_step, row.hold_expires_at) for row in later] == [
        ("held", "reserved", row.start - DUE) for row in later]
    assert not any(offered(coaching, row) for row in later)  # nobody else can take them meanwhile
    page = manage_page(client, later[0])
    deadline = (later[0].start - DUE).astimezone(timezone.get_default_timezone())
    assert "This appointment is reserved for you. Pay its deposit of US$18.00 by" in page
    assert re.search(r'<a class="wb-primary" href="/booking/pay/[^"]+">Pay the deposit</a>', page)
    assert "Reserved, deposit due" in page and "None" not in page
    assert deadline.tzinfo is not None
    confirmation = manage_page(client, first)
    assert confirmation.count("Reserved, deposit due by") == 3


def test_an_abandoned_checkout_lets_every_date_of_the_series_go(client, coaching, monday, time_machine):
    data = book_series(client, coaching, far(monday))
    bookings = rows(data)
    assert not any(offered(coaching, row) for row in bookings)
    time_machine.shift(timedelta(minutes=16))
    assert all(offered(coaching, row) for row in bookings)
    series_deposits.sweep()
    assert not [message for message in mail.outbox if "ann@example.com" in message.to]


def test_the_link_goes_out_once_a_week_ahead_and_paying_it_confirms_that_date_only(
        client, stripe_client, coaching, paid_first, time_machine):
    _first, second, third, fourth = paid_first
    mail.outbox.clear()
    time_machine.move_to(second.start - timedelta(days=7) - timedelta(minutes=5), tick=False)
    assert series_deposits.sweep() == (0, 0)  # not yet
    time_machine.move_to(second.start - timedelta(days=7) + timedelta(minutes=5), tick=False)
    assert series_deposits.sweep() == (1, 0)
    assert series_deposits.sweep() == (0, 0)  # once
    [email] = [message for message in mail.outbox if message.to == ["ann@example.com"]]
    assert email.subject.startswith("Pay the deposit to keep your appointment: Coaching,")
    assert "Pay its deposit of US$18.00 by" in email.body and "(Europe/London)" in email.body
    link = re.search(r"Pay here: (\S+)", email.body).group(1)
    assert link.endswith(f"/booking/pay/{second.reference}/{manage_token(second)}/")
    pay(client, stripe_client, coaching, second.reference, link.split("testserver", 1)[-1])
    second.refresh_from_db(), third.refresh_from_db(), fourth.refresh_from_db()
    assert second.status == "confirmed"
    assert BookingPayment.objects.get(booking=second).amount_captured == Decimal("18.00")
    assert (third.status, third.deposit_step, third.hold_expires_at) == ("held", "reserved", third.start - DUE)
    assert fourth.status == "held"


def test_an_unpaid_date_is_released_at_its_deadline_and_the_client_is_told_once(
        client, coaching, paid_first, time_machine):
    _first, second, third, fourth = paid_first
    time_machine.move_to(second.start - timedelta(days=7) + timedelta(minutes=5), tick=False)
    assert series_deposits.sweep() == (1, 0)  # the second's link
    mail.outbox.clear()
    time_machine.move_to(second.start - DUE + timedelta(minutes=1), tick=False)
    assert series_deposits.sweep() == (0, 1)  # the second lapses; the third's link waits until a week before it
    second.refresh_from_db()
    assert (second.status, second.deposit_step) == ("expired", "lapsed")
    assert offered(coaching, second)
    [notice] = [message for message in mail.outbox if message.subject.startswith("Appointment released")]
    assert "was not paid, so the time has been released. Nothing was charged for it." in notice.body
    assert series_deposits.sweep() == (0, 0)
    assert "This appointment was released because its deposit was not paid in time." in manage_page(client, second)
    third.refresh_from_db(), fourth.refresh_from_db()
    assert (third.status, fourth.status) == ("held", "held")
    time_machine.move_to(second.start + timedelta(days=3), tick=False)
    services.delete_expired_holds()
    assert Booking.objects.filter(pk=second.pk).exists()  # still in the client's list of the series


def test_cancel_and_move_this_and_later_take_the_reserved_dates_with_them(client, coaching, paid_first):
    first, second, third, fourth = paid_first
    moved = series.move(second, second.start + timedelta(hours=2), and_following=True, by="client")
    assert [row.pk for row in moved] == [second.pk, third.pk, fourth.pk]
    for row in (second, third, fourth):
        row.refresh_from_db()
        assert row.status == "held" and row.hold_expires_at == row.start - DUE
    assert [row.start - first.start for row in (second, third, fourth)] == [
        timedelta(weeks=week, hours=2) for week in (1, 2, 3)]
    cancelled = series.cancel(third, and_following=True, by="client")
    assert [row.pk for row in cancelled] == [third.pk, fourth.pk]
    assert Booking.objects.get(pk=fourth.pk).status == "cancelled"
    assert offered(coaching, Booking.objects.get(pk=fourth.pk))
    assert not BookingPayment.objects.filter(booking__in=[third, fourth]).exists()


def test_the_blocks_review_says_how_the_deposits_are_paid_and_books_into_the_checkout(client, coaching, monday):
    from tests.blocks.test_series_block import hidden_fields

    start = far(monday)
    data = {"slot": f"{start.isoformat()}|", "timezone": "Europe/London", "name": "Ann Client",
            "email": "ann@example.com", "phone": "", "next": "/", "repeat_every": "1", "repeat_count": "3"}
    review = client.post(f"/booking/book/{coaching.pk}/", data).content.decode()
    assert "Each appointment has a deposit of US$18.00." in review
    assert ("Pay each deposit before its appointment: the first now, each later one by 48 hours before its "
            "appointment") in review
    pk = coaching.pk
    assert (f'<input type="radio" id="wb-pay-all-{pk}" name="deposit_payment" value="up_front"> <label for="wb-pay-'
            f'all-{pk}">Pay all the deposits now: the first at the checkout, the others charged right after it to the '
            'same card, US$18.00 each, one payment per appointment.</label>') in review
    assert "Continue to payment" in review
    response = client.post(f"/booking/book/{coaching.pk}/series/", {**hidden_fields(review),
                                                                   "on_conflict": "all_or_nothing"})
    first = Booking.objects.filter(client_email="ann@example.com").order_by("start").first()
    assert response.status_code == 302
    assert response["Location"] == f"/booking/pay/{first.reference}/{manage_token(first)}/"
    assert Booking.objects.filter(client_email="ann@example.com", status="held").count() == 3


# Paid up front: the first deposit at the checkout, the others charged right after it to the same card ------------


def book_up_front(client, service, first, count=4):
    response = client.post("/booking/api/series", data=json.dumps({
        "service": service.pk, "start": first.isoformat(), "timezone": "Europe/London", "count": count,
        "name": "Ann Client", "email": "ann@example.com", "deposit_payment": "up_front"}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_up_front_charges_every_later_deposit_to_the_card_one_payment_each_and_lets_the_card_go(
        client, stripe_client, stripe_fake, coaching, monday):
    from wagtail_booking.checkout.card_models import SavedCard

    data = book_up_front(client, coaching, far(monday))
    first = Booking.objects.get(reference=data["bookings"][0]["id"])
    consent = SavedCard.objects.get(booking=first)
    assert consent.consent_text == ("Pay all the deposits now: the first at the checkout, the others charged right "
                                    "after it to the same card, US$18.00 each, one payment per appointment.")
    flow = pay(client, stripe_client, coaching, first.reference, data["checkout_url"])
    assert stripe_fake.payment_intents[flow.payment.payment_intent_id]["setup_future_usage"] == "off_session"
    bookings = rows(data)
    assert [row.status for row in bookings] == ["confirmed"] * 4
    payments = [BookingPayment.objects.get(booking=row) for row in bookings]
    assert [(p.state, p.amount_captured) for p in payments] == [("captured", Decimal("18.00"))] * 4
    assert len({p.payment_intent_id for p in payments}) == 4 and all(p.order_id for p in payments)
    assert [stripe_fake.payment_intents[p.payment_intent_id]["amount_received"] for p in payments] == [1800] * 4
    assert SavedCard.objects.get(pk=consent.pk).state == "spent"  # not kept for anything else
    confirmations = [m for m in mail.outbox if m.to == ["ann@example.com"] and "confirmed" in m.subject.lower()]
    assert len(confirmations) == 4
    # Each appointment's cancellation settles its own payment, as a single booking's would.
    series.cancel(bookings[2], by="client")
    assert BookingPayment.objects.get(booking=bookings[2]).amount_refunded == Decimal("18.00")
    assert [BookingPayment.objects.get(booking=row).amount_refunded for row in (bookings[0], bookings[1],
                                                                               bookings[3])] == [0, 0, 0]


def test_up_front_a_card_the_bank_refuses_off_session_leaves_each_date_reserved_with_its_link_sent(
        client, stripe_client, stripe_fake, coaching, monday):
    data = book_up_front(client, coaching, far(monday), count=3)
    flow = Checkout(client, stripe_client, coaching)
    flow.hold_body = {"id": data["bookings"][0]["id"], "checkout_url": data["checkout_url"]}
    flow.open_payment_page()
    flow.pay(payment_method="pm_card_authenticationRequired")  # the bank wants the client every time
    stripe_fake.complete_3ds(flow.payment.payment_intent_id)
    flow.come_back()
    first, second, third = rows(data)
    assert first.status == "confirmed"
    for row in (second, third):
        assert (row.status, row.deposit_step, row.hold_expires_at) == ("held", "link_sent", row.start - DUE)
        payment = BookingPayment.objects.get(booking=row)
        assert payment.state == "failed" and "emailed to the client" in payment.problem
    links = [m for m in mail.outbox if m.subject.startswith("Pay the deposit to keep your appointment")]
    assert len(links) == 2
    assert "We could not charge this appointment's deposit to your card, so it is not paid yet." in links[0].body
    assert series_deposits.sweep() == (0, 0)  # the links went already


def test_the_blocks_up_front_choice_keeps_the_clients_agreement_with_the_first_appointment(client, coaching,
                                                                                           monday):
    from tests.blocks.test_series_block import hidden_fields
    from wagtail_booking.bookings.models import BookingSeries
    from wagtail_booking.checkout.card_models import SavedCard

    data = {"slot": f"{far(monday).isoformat()}|", "timezone": "Europe/London", "name": "Ann Client",
            "email": "ann@example.com", "phone": "", "next": "/", "repeat_every": "2", "repeat_count": "3"}
    review = client.post(f"/booking/book/{coaching.pk}/", data).content.decode()
    response = client.post(f"/booking/book/{coaching.pk}/series/", {
        **hidden_fields(review), "on_conflict": "all_or_nothing", "deposit_payment": "up_front"})
    first = Booking.objects.filter(client_email="ann@example.com").order_by("start").first()
    assert response["Location"] == f"/booking/pay/{first.reference}/{manage_token(first)}/"
    assert first.series.payment == BookingSeries.Payment.UP_FRONT
    card = SavedCard.objects.get(booking=first)
    assert card.state == "pending" and card.consent_text.startswith("Pay all the deposits now")
