"""The hourly capture of card authorisations about to lapse: one refused payment never holds up the others."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from tests.checkout.conftest import Checkout, far
from wagtail_booking.bookings.models import Booking
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.tasks import capture_ageing_authorisations_task

pytestmark = pytest.mark.django_db(transaction=True)

AUTHORISE_ONLY = {**settings.WAGTAIL_BOOKING, "CARD_AUTHORIZATION_DAYS": 60}  # cards authorised, captured later


@pytest.fixture
def three_ageing_authorisations(stripe_client, stripe_fake, massage, monday):
    """Three requests nobody approved, each with a card authorised eight days ago (oldest payment first)."""
    massage.booking_mode = "request"
    massage.save()
    with override_settings(WAGTAIL_BOOKING=AUTHORISE_ONLY):
        for hour in (9, 11, 13):
            flow = Checkout(Client(), stripe_client, massage)
            flow.hold(far(monday, hour), email=f"client{hour}@example.com")
            flow.open_payment_page()
            flow.pay()
            flow.come_back()
    payments = list(BookingPayment.objects.order_by("pk"))
    assert [p.state for p in payments] == ["authorised"] * 3
    BookingPayment.objects.update(created_at=timezone.now() - timedelta(days=8))
    return payments


def test_a_refused_capture_is_recorded_and_the_others_are_still_captured(
        three_ageing_authorisations, stripe_client, stripe_fake, admin_client, caplog):
    refused, *others = three_ageing_authorisations
    # The first authorisation was voided at Stripe (Dashboard, or it lapsed): Stripe refuses to capture it.
    stripe_client.v1.payment_intents.cancel(refused.payment_intent_id)

    with caplog.at_level(logging.ERROR, logger="wagtail_booking.checkout.settlement"):
        assert capture_ageing_authorisations_task.call_local() == 2

    for payment in others:
        payment.refresh_from_db()
        assert (payment.state, payment.amount_captured) == ("captured", Decimal("18.00"))
        assert stripe_fake.payment_intents[payment.payment_intent_id]["status"] == "succeeded"
    refused.refresh_from_db()
    assert refused.state == "authorised" and refused.amount_captured == 0
    assert refused.problem.startswith("Capturing the deposit before the card authorisation lapses failed")
    [record] = caplog.records
    assert f"payment {refused.pk} of booking {refused.booking_id}" in record.getMessage()
    # Staff see why on the booking's page in the admin.
    page = admin_client.get(f"/admin/bookings/inspect/{refused.booking_id}/").content.decode()
    assert "Capturing the deposit before the card authorisation lapses failed" in page

    # The next hour: the refused one is tried again (and refused again); nothing is captured twice.
    assert capture_ageing_authorisations_task.call_local() == 0
    captures = [r for r in stripe_fake.requests if r[0] == "POST" and r[1].endswith("/capture")]
    assert len(captures) == 4  # two captured once each, the refused one tried in each of the two runs


def test_a_passing_outage_is_retried_at_the_next_run(three_ageing_authorisations, stripe_fake):
    first, *others = three_ageing_authorisations
    stripe_fake.fail_next(1, status=500)  # Stripe fails the first capture of the run

    assert capture_ageing_authorisations_task.call_local() == 2
    first.refresh_from_db()
    assert first.state == "authorised" and "not answering" in first.problem
    assert all(BookingPayment.objects.get(pk=p.pk).state == "captured" for p in others)

    assert capture_ageing_authorisations_task.call_local() == 1
    first.refresh_from_db()
    assert (first.state, first.amount_captured, first.problem) == ("captured", Decimal("18.00"), "")
    assert Booking.objects.filter(status="requested").count() == 3  # capturing decides nothing about the booking
