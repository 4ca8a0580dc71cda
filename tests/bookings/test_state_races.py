"""Two people change one booking at the same moment: the outcome is always one that some order of their actions
explains, and each person is told the truth about their own action.

Real connections: every action runs in its own thread with its own PostgreSQL connection, started by a barrier.
The races with money in them (payment against cancellation, refunds) are in tests/checkout/test_payment_races.py.
"""

import json
from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.test import Client

from tests.bookings.racing import later, race, staff_action, staff_client, succeeded
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import manage_token

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 25


@pytest.fixture
def consultation(db):
    return ServiceFactory(name="Consultation", providers=[ProviderFactory(name="Maya")], duration_minutes=30,
                          cancellation_cutoff_hours=24)


@pytest.fixture
def staff(admin_user):
    return admin_user


def booking_for(service, monday, round_number, status):
    """A booking made by staff on its own weekday, at 10:00, for its own client (so emails can be counted)."""
    day = monday + timedelta(weeks=round_number // 5, days=round_number % 5)
    client = services.ClientDetails(name=f"Client {round_number}", email=f"race{round_number}@example.com",
                                    timezone="America/New_York")
    return services.create_by_staff(service, service.providers.get(), ny(day, 10), client, status=status)


def client_cancel(booking):
    """The client presses Cancel (public API, with the link's token); True if told it is cancelled."""
    response = Client().post(f"/booking/api/bookings/{booking.reference}/cancel",
                              data=json.dumps({"token": manage_token(booking)}), content_type="application/json")
    assert response.status_code in (200, 409), response.content
    return response.status_code == 200


def client_reschedule(booking, start):
    response = Client().post(f"/booking/api/bookings/{booking.reference}/reschedule",
                              data=json.dumps({"token": manage_token(booking), "start": start.isoformat()}),
                              content_type="application/json")
    assert response.status_code in (200, 409), response.content
    return response.status_code == 200


def staff_succeeds(desk, booking, action):
    return succeeded(staff_action(desk, booking, action))


def emails_to(booking, subject_start):
    return [m for m in mail.outbox if m.to == [booking.client_email] and m.subject.startswith(subject_start)]


def test_approve_decline_and_client_cancel_at_once(consultation, staff, monday):
    """Three people act on one request: the result is always what one order of their actions gives."""
    approver, decliner = staff_client(staff), staff_client(staff)
    outcomes = set()
    for round_number in range(ROUNDS):
        booking = booking_for(consultation, monday, round_number, Booking.Status.REQUESTED)
        approved, declined, cancelled = race(partial(staff_succeeds, approver, booking, "approve"),
                                             partial(staff_succeeds, decliner, booking, "decline"),
                                             later(round_number % 12, partial(client_cancel, booking)))
        booking.refresh_from_db()
        told = (approved, declined, cancelled)
        # The only serial orders: approve then cancel; decline first; cancel first.
        expected = {(True, False, True): "cancelled", (False, True, False): "declined",
                    (False, False, True): "cancelled"}
        assert told in expected, f"round {round_number}: approve/decline/cancel told {told}, now {booking.status}"
        assert booking.status == expected[told], f"round {round_number}: told {told} but {booking.status}"
        assert len(emails_to(booking, "Your booking was cancelled")) == int(cancelled)
        assert len(emails_to(booking, "We could not accept your request")) == int(declined)
        outcomes.add(told)
    assert len(outcomes) >= 2, f"every round went the same way ({outcomes}): the actions did not race"


def test_two_cancellations_at_once_cancel_once(consultation, staff, monday):
    """A client double-clicks Cancel while staff cancel too: one cancellation, one email, one refund run."""
    desk = staff_client(staff)
    for round_number in range(ROUNDS):
        booking = booking_for(consultation, monday, round_number, Booking.Status.CONFIRMED)
        results = race(partial(client_cancel, booking), partial(client_cancel, booking),
                       partial(staff_succeeds, desk, booking, "cancel"))
        booking.refresh_from_db()
        assert results.count(True) == 1, f"round {round_number}: {results} all said 'cancelled'"
        assert booking.status == "cancelled"
        assert len(emails_to(booking, "Your booking was cancelled")) == 1


def test_no_show_and_staff_cancel_at_once(consultation, staff, monday, time_machine):
    """Once the appointment has started (no-show is only possible then), one desk marks it, another cancels."""
    bookings = [booking_for(consultation, monday, n, Booking.Status.CONFIRMED) for n in range(ROUNDS)]
    time_machine.move_to(max(booking.end for booking in bookings), tick=True)
    desk, other_desk = staff_client(staff), staff_client(staff)  # signed in now: weeks on, older sessions expired
    for round_number, booking in enumerate(bookings):
        marked, cancelled = race(partial(staff_succeeds, desk, booking, "no_show"),
                                 partial(staff_succeeds, other_desk, booking, "cancel"))
        assert isinstance(marked, bool) and isinstance(cancelled, bool), (marked, cancelled)  # not an error
        booking.refresh_from_db()
        assert marked != cancelled, f"round {round_number}: both told they succeeded, booking {booking.status}"
        assert booking.status == ("no_show" if marked else "cancelled")
        assert len(emails_to(booking, "Your booking was cancelled")) == int(cancelled)


def test_client_reschedule_and_staff_cancel_at_once(consultation, staff, monday):
    """Moved then cancelled, or cancelled and not moved; never moved back to life after a cancellation."""
    desk = staff_client(staff)
    for round_number in range(ROUNDS):
        booking = booking_for(consultation, monday, round_number, Booking.Status.CONFIRMED)
        old_start, new_start = booking.start, booking.start + timedelta(hours=4)
        moved, cancelled = race(partial(client_reschedule, booking, new_start),
                                partial(staff_succeeds, desk, booking, "cancel"))
        booking.refresh_from_db()
        assert cancelled, f"round {round_number}: staff could not cancel a confirmed booking"
        assert booking.status == "cancelled", f"round {round_number}: moved={moved}, but now {booking.status}"
        assert booking.start == (new_start if moved else old_start)
        assert len(emails_to(booking, "Your booking was cancelled")) == 1
