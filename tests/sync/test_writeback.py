"""Bookings out: confirmed -> event, rescheduled -> moved, cancelled -> deleted; never imported back as busy."""

from datetime import timedelta

import pytest

from tests.helpers import ny
from tests.sync.conftest import ACCOUNT
from wagtail_booking.bookings import services
from wagtail_booking.snippets.models import BusyBlock
from wagtail_booking.sync import gateway
from wagtail_booking.sync.backends.google import OWN_EVENT_KEY, event_id_for
from wagtail_booking.sync.models import BookingEvent, CalendarConnection
from wagtail_booking.sync.writeback import write_back
from wagtail_booking.tasks import calendar_sync_task

CLIENT = services.ClientDetails(name="Pat Client", email="pat@example.com", timezone="America/New_York")


@pytest.fixture
def book(connected, service, provider, django_capture_on_commit_callbacks):
    def book(start):
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_by_staff(service, provider, start, CLIENT)
    return book


def test_event_id_is_base32hex_and_stable():
    assert event_id_for("ABCD2345") == event_id_for("ABCD2345")
    assert set(event_id_for("ABCD2345")) <= set("0123456789abcdefghijklmnopqrstuv")


def test_confirm_move_cancel(book, connected, google, provider, monday, django_capture_on_commit_callbacks):
    booking = book(ny(monday, 10))

    event = google.events(ACCOUNT)[event_id_for(booking.reference)]
    assert event["extendedProperties"]["private"][OWN_EVENT_KEY] == booking.reference
    assert event["start"]["dateTime"] == ny(monday, 10).isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule(booking, ny(monday, 14), by="staff")
    moved = google.events(ACCOUNT)[event_id_for(booking.reference)]
    assert moved["start"]["dateTime"] == ny(monday, 14).isoformat()

    calendar_sync_task(connected.pk)
    assert not BusyBlock.objects.filter(provider=provider, source="google").exists()  # our own event

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(booking, by="staff")
    assert event_id_for(booking.reference) not in google.events(ACCOUNT)
    assert BookingEvent.objects.get(booking=booking).deleted
    assert write_back(booking.pk) == "nothing"  # a retry after the delete does no harm


def test_retried_insert_and_already_deleted_event(book, google, monday):
    booking = book(ny(monday, 10))
    BookingEvent.objects.filter(booking=booking).delete()  # as if the first attempt timed out after Google saved it

    assert write_back(booking.pk) == "written"  # 409 on insert, so the existing event is updated
    assert len([e for e in google.events(ACCOUNT) if e == event_id_for(booking.reference)]) == 1

    google.delete_event(ACCOUNT, event_id_for(booking.reference))  # the owner deleted it in Google
    booking.status = "cancelled"
    booking.save()
    assert write_back(booking.pk) == "deleted"  # 410 counts as done


def test_google_failure_never_fails_the_booking(book, google, monday):
    google.fail_next(50, 500)

    booking = book(ny(monday, 10))  # the write-back task fails (and would be retried by a worker)

    assert booking.status == "confirmed"
    assert not BookingEvent.objects.filter(booking=booking).exists()
    google._failures.clear()
    assert write_back(booking.pk) == "written"
    assert event_id_for(booking.reference) in google.events(ACCOUNT)


def test_write_back_retries_a_rate_limit(book, google, monday):
    google.fail_next(1, 429)
    booking = book(ny(monday, 10))
    assert event_id_for(booking.reference) in google.events(ACCOUNT)
    assert google.sleeps


def test_unavailable_raises_for_huey_retry(book, google, monday):
    booking = book(ny(monday + timedelta(days=1), 10))
    booking.start += timedelta(hours=1)
    booking.end += timedelta(hours=1)
    booking.blocked_start, booking.blocked_end = booking.start, booking.end
    booking.save()
    google.fail_next(gateway.RETRIES + 1, 503)
    with pytest.raises(gateway.GoogleUnavailable):
        write_back(booking.pk)


def test_full_sync_catches_up_bookings_missed_while_disconnected(google, admin_client, service, provider, monday,
                                                                  django_capture_on_commit_callbacks):
    from tests.sync.conftest import walk_oauth

    with django_capture_on_commit_callbacks(execute=True):
        before = services.create_by_staff(service, provider, ny(monday, 10), CLIENT)  # not connected yet

    walk_oauth(admin_client, provider)  # connecting runs the first full sync

    assert event_id_for(before.reference) in google.events(ACCOUNT)
    google.revoke_all()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(before, by="staff")  # written nowhere: the connection needs reconnecting
    assert CalendarConnection.objects.get(provider=provider).status == "reconnect"

    walk_oauth(admin_client, provider)  # reconnect
    assert event_id_for(before.reference) not in google.events(ACCOUNT)
