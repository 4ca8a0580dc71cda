"""A class paid per seat: the payment page's total and seats, and the full refund when the class does not run."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from tests.checkout.conftest import Checkout, far
from tests.factories.booking import ServiceFactory
from wagtail_booking.bookings.attendance import cancel_short_sessions
from wagtail_booking.bookings.models import Booking, ClassSession

pytestmark = pytest.mark.django_db(transaction=True)  # emails go out after the commit


@pytest.fixture
def yoga(provider, stripe_fake):
    """$20 a seat, 25% deposit ($5.00 a seat); 10 seats, runs with 4 booked 24 hours before."""
    return ServiceFactory(name="Yoga", providers=[provider], duration_minutes=60, slot_interval_minutes=60,
                          price=Decimal("20.00"), deposit_kind="percent", deposit_value=Decimal("25"), capacity=10,
                          max_seats_per_booking=3, min_attendance=4, min_attendance_cutoff_hours=24)


def test_two_seats_are_paid_for_together_and_refunded_in_full_when_the_class_is_called_off(
        client, stripe_client, yoga, monday):
    flow = Checkout(client, stripe_client, yoga)
    start = far(monday, 10)
    flow.hold(start, seats=2)
    page = flow.open_payment_page().content.decode()
    assert "2 seats" in page and "US$10.00" in page  # the deposit of two seats
    flow.pay()
    flow.come_back()
    booking = Booking.objects.get(reference=flow.hold_body["id"])
    assert booking.status == Booking.Status.CONFIRMED and booking.price == Decimal("40.00")
    assert flow.payment.amount == Decimal("10.00")
    confirmation = next(message for message in mail.outbox if "confirmed" in message.body)
    assert "Seats: 2 seats" in confirmation.body
    mail.outbox.clear()

    assert cancel_short_sessions(now=start - timedelta(hours=25)) == 0  # before the cut-off: still open
    assert cancel_short_sessions(now=start - timedelta(hours=23)) == 1  # 2 of the 4 needed
    assert cancel_short_sessions(now=start - timedelta(hours=22)) == 0  # a retry changes nothing
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert ClassSession.objects.get().cancelled_for_attendance
    payment = flow.payment
    assert payment.amount_refunded == Decimal("10.00") and payment.state == "refunded"
    [message] = [message for message in mail.outbox if message.to == ["pat@example.com"]]
    assert "Your class has been cancelled: too few places were booked for it to run." in message.body
    assert "US$10.00" in message.body  # the refund, in full
