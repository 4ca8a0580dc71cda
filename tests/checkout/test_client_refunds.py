"""What a client reads about the policy and their money: the manage page's confirmation steps, the refund after
cancelling, the page once online changes closed, and the cancellation email with its credit note.

A deposit of 18.00 USD under "100% with 1000 hours' notice, 50% with 24 hours', nothing after"; the booking is
about 955 hours away (far(monday)), so cancelling now refunds 9.00 USD.
"""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from tests.checkout.conftest import far
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import manage_token
from wagtail_booking.checkout.models import BookingPayment, CancellationPolicy, CancellationTier
from wagtail_booking.checkout.settlement import settle_cancellation
from wagtail_booking.outbox.dispatch import sweep
from wagtail_booking.outbox.models import OutboxMessage
from wagtail_booking.site_settings import BusinessSettings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tiered(massage):
    policy = CancellationPolicy.objects.create(name="Tiered", site_id=massage.site_id)
    CancellationTier.objects.create(policy=policy, hours_before=1000, refund_percent=100)
    CancellationTier.objects.create(policy=policy, hours_before=24, refund_percent=50)
    massage.cancellation_policy = policy
    massage.save()
    return massage


@pytest.fixture
def booked(checkout, stripe_fake, tiered, monday):
    checkout.book_and_pay(far(monday))
    booking = Booking.objects.get(reference=checkout.hold_body["id"])
    mail.outbox.clear()
    return booking, f"/booking/manage/{booking.reference}/{manage_token(booking)}/"


def text(response):
    return response.content.decode()


def test_confirmation_and_manage_page_state_the_policy_with_dates_in_the_clients_zone(checkout, booked):
    booking, url = booked
    page = text(checkout.client.get(url))
    # The 100% step ended on Mon 8 Mar (1000 hours before): only what still holds is said.
    assert "50% refund until Sun 18 Apr, 10:00 (America/New_York); no refund after that." in page
    assert "Online changes close 24 hours before, at Sun 18 Apr, 10:00 (America/New_York)." in page
    confirmation = text(checkout.client.get(f"/booking/booked/{booking.reference}/{manage_token(booking)}/"))
    assert "50% refund until Sun 18 Apr, 10:00" in confirmation


def test_cancel_asks_first_with_the_exact_refund_then_says_it_again(checkout, booked):
    booking, url = booked
    question = checkout.client.post(url, {"action": "cancel"})
    page = text(question)
    assert question.status_code == 200 and "Cancel this booking?" in page
    assert "Cancelling now refunds US$9.00 of your US$18.00 deposit to your Visa ending 4242." in page
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"  # asking changed nothing
    result = text(checkout.client.post(url, {"action": "cancel", "confirm": "yes"}))
    assert "Your booking is cancelled." in result
    assert "We are refunding US$9.00 to your Visa ending 4242. Expect it within 5–10 business days." in result
    assert BookingPayment.objects.get(booking=booking).amount_refunded == Decimal("9.00")
    again = text(checkout.client.get(url))  # the page keeps saying it
    assert "We are refunding US$9.00 to your Visa ending 4242." in again and "Cancel this booking" not in again


def test_move_asks_first_and_says_how_the_refund_changes(checkout, booked):
    booking, url = booked
    later = booking.start + timedelta(days=2)  # a Wednesday: over 1000 hours away, so a full refund again
    slot = f"{later.isoformat()}|"
    page = text(checkout.client.post(url, {"action": "reschedule", "slot": slot}))
    assert "Move to Wed 21 Apr, 10:00 (America/New_York)?" in page
    assert "After this move, cancelling would refund US$18.00 instead of US$9.00." in page
    assert Booking.objects.get(pk=booking.pk).start == booking.start
    done = text(checkout.client.post(url, {"action": "reschedule", "slot": slot, "confirm": "yes"}))
    assert "Your booking has been moved." in done and Booking.objects.get(pk=booking.pk).start == later
    assert "Cancelling now refunds US$18.00 of your US$18.00 deposit" in done


def test_inside_the_cut_off_the_page_gives_the_contact_details_and_posts_are_refused(checkout, booked, tiered):
    booking, url = booked
    BusinessSettings.objects.update_or_create(site_id=booking.site_id, defaults={
        "contact_phone": "+1 212 555 0100", "contact_email": "desk@example.com"})
    tiered.cancellation_cutoff_hours = 2000
    tiered.save()
    page = text(checkout.client.get(url))
    assert "Online changes closed at Tue 26 Jan, 01:00 (America/New_York). To change or cancel, contact us." in page
    assert "+1 212 555 0100" in page and "mailto:desk@example.com" in page
    assert "Online changes closed 2000 hours before, at Tue 26 Jan, 01:00 (America/New_York)." in page  # policy
    assert "Cancel this booking" not in page and "Move my booking" not in page
    for data in ({"action": "cancel"}, {"action": "cancel", "confirm": "yes"},
                 {"action": "reschedule", "slot": f"{(booking.start + timedelta(days=2)).isoformat()}|"},
                 {"action": "reschedule", "slot": f"{(booking.start + timedelta(days=2)).isoformat()}|",
                  "confirm": "yes"}):
        refused = checkout.client.post(url, data)
        assert refused.status_code == 409, data
        assert "contact us" in text(refused) and "+1 212 555 0100" in text(refused)
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_cancellation_email_states_the_refund_card_and_timing_and_attaches_the_credit_note(checkout, booked):
    booking, url = booked
    checkout.client.post(url, {"action": "cancel", "confirm": "yes"})
    [email] = [m for m in mail.outbox if "cancelled" in m.subject]
    print("\n--- cancellation email ---\nSubject:", email.subject, "\n" + email.body)
    assert "We are refunding US$9.00 to your Visa ending 4242. Expect it within 5–10 business days." in email.body
    html = email.alternatives[0][0]
    assert "We are refunding US$9.00 to your Visa ending 4242." in html
    pdfs = [(name, content) for name, content, kind in email.attachments if kind == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0][1].startswith(b"%PDF")
    print("attachments:", [(name, kind) for name, _content, kind in email.attachments])


AUTHORISE_ONLY = {**settings.WAGTAIL_BOOKING, "CARD_AUTHORIZATION_DAYS": 60}  # cards authorised, captured later


@pytest.mark.parametrize("authorised", [False, True], ids=["captured", "authorised then part-captured"])
def test_a_second_settlement_run_refunds_nothing_more(checkout, stripe_fake, tiered, monday, authorised):
    """50% back: a captured deposit is refunded 9.00; an authorised one is captured down to the 9.00 kept and the
    other 9.00 released. Running the settlement again (a retried task) must give back nothing more.

    The authorised case is a request nobody approved yet: its card stays authorised (a confirmed booking's is
    captured at once)."""
    if authorised:
        tiered.booking_mode = "request"
        tiered.save()
    with override_settings(WAGTAIL_BOOKING=AUTHORISE_ONLY if authorised else settings.WAGTAIL_BOOKING):
        checkout.book_and_pay(far(monday))
        booking = Booking.objects.get(reference=checkout.hold_body["id"])
        assert checkout.payment.state == ("authorised" if authorised else "captured")
        url = f"/booking/manage/{booking.reference}/{manage_token(booking)}/"
        checkout.client.post(url, {"action": "cancel", "confirm": "yes"})
        for _again in range(2):
            settle_cancellation(booking.pk, "client")
    payment = checkout.payment
    given_back = payment.amount_refunded + (payment.amount - payment.amount_captured)
    assert given_back == Decimal("9.00"), (payment.state, payment.amount_captured, payment.amount_refunded)
    with stripe_fake.lock:
        refunds = [r["amount"] for r in stripe_fake.refunds.values()]
        intent = dict(stripe_fake.payment_intents[payment.payment_intent_id])
    assert intent["amount_received"] == (900 if authorised else 1800)
    assert refunds == ([] if authorised else [900])
    page = text(checkout.client.get(url))
    assert "We are refunding US$9.00 to your Visa ending 4242." in page


def test_when_the_refund_fails_on_every_try_the_client_still_gets_the_cancellation_email(
        checkout, booked, stripe_fake, caplog):
    booking, url = booked
    BusinessSettings.objects.update_or_create(site_id=booking.site_id, defaults={
        "contact_phone": "+1 212 555 0100", "contact_email": "desk@example.com"})
    stripe_fake.fail_next(100, status=500, should_retry=False)  # Stripe refuses every refund
    with override_settings(WAGTAIL_BOOKING={**settings.WAGTAIL_BOOKING, "OUTBOX_SWEEP_AFTER_SECONDS": 0}):
        checkout.client.post(url, {"action": "cancel", "confirm": "yes"})
        settling = OutboxMessage.objects.get(task__endswith="settle_cancellation_task")
        assert not [m for m in mail.outbox if "cancelled" in m.subject]  # still trying: the email waits
        with caplog.at_level(logging.ERROR):
            for _retry in range(settling.max_attempts - 1):  # Huey's retries, handed over by the sweep
                sweep()
    settling.refresh_from_db()
    assert settling.failed_at is not None and settling.attempts == settling.max_attempts
    payment = BookingPayment.objects.get(booking=booking)
    assert payment.amount_refunded == 0 and payment.problem.startswith("Refunding the cancellation failed")
    [email] = [m for m in mail.outbox if "cancelled" in m.subject]
    assert ("Your refund of US$9.00 to your Visa ending 4242 is delayed: we could not send it yet and will send "
            "it as soon as we can. If it has not reached you within 5–10 business days, please contact us: "
            "+1 212 555 0100 or desk@example.com.") in email.body
    assert "We are refunding" not in email.body
    assert "failed on every try" in caplog.text
