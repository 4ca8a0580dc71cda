"""Minimum attendance: the periodic task cancels short classes at their cut-off, once, and tells each client why."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking, ClassSession
from wagtail_booking.tasks import cancel_short_sessions_task

pytestmark = pytest.mark.django_db(transaction=True)  # emails go out after the commit


def book(service, start, seats, email, language="en-gb"):
    body = {"service": service.pk, "start": start.isoformat(), "name": "Client", "email": email,
            "timezone": "America/New_York", "seats": seats, "language": language}
    response = Client().post("/booking/api/holds", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return Booking.objects.get(reference=response.json()["id"])


@pytest.fixture
def pilates():
    return ServiceFactory(providers=[ProviderFactory()], capacity=8, max_seats_per_booking=3, min_attendance=3,
                          min_attendance_cutoff_hours=12, duration_minutes=60, slot_interval_minutes=60)


def test_short_classes_are_cancelled_at_their_cut_off_and_full_enough_ones_run(pilates, monday, time_machine):
    short = book(pilates, ny(monday, 10), 1, "ana@example.com", language="fr")
    other = book(pilates, ny(monday, 10), 1, "ben@example.com")
    enough = book(pilates, ny(monday, 14), 3, "cy@example.com")
    later = book(pilates, ny(monday + timedelta(days=1), 10), 1, "dee@example.com")
    mail.outbox.clear()

    time_machine.move_to(ny(monday, 10) - timedelta(hours=12, minutes=1))
    cancel_short_sessions_task.call_local()
    assert not mail.outbox and not ClassSession.objects.filter(status="cancelled").exists()  # a minute early

    time_machine.move_to(ny(monday, 9))  # past the 10:00 and the 14:00 classes' cut-offs, not the next day's
    cancel_short_sessions_task.call_local()
    cancel_short_sessions_task.call_local()  # a retry: nothing cancelled twice, no second email
    for booking in (short, other, enough, later):
        booking.refresh_from_db()
    assert short.status == other.status == Booking.Status.CANCELLED
    assert enough.status == later.status == Booking.Status.CONFIRMED
    assert short.session.status == ClassSession.Status.CANCELLED and short.session.seats_taken == 0
    assert enough.session.status == later.session.status == ClassSession.Status.SCHEDULED
    clients = {"ana@example.com", "ben@example.com", "cy@example.com", "dee@example.com"}
    by_client = {message.to[0]: message.body for message in mail.outbox if message.to[0] in clients}
    assert sorted(by_client) == ["ana@example.com", "ben@example.com"]
    assert "too few places were booked for it to run" in by_client["ben@example.com"]
    assert "pas assez de places" in by_client["ana@example.com"]  # in the language she booked in
