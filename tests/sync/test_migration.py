"""Migration 0026 carries an upgraded site's Google connection over: connection, calendars (with the one bookings
went to), busy blocks and booking events, so nothing has to be connected again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories.booking import BookingFactory
from tests.helpers import ny

BEFORE = [("wagtail_booking", "0025_package_currency_follows_the_business")]
AFTER = [("wagtail_booking", "0026_calendar_connections")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_google_rows_move_to_calendar_connections(provider, service, monday):
    booking = BookingFactory(service=service, provider=provider, start=ny(monday, 10))
    old = migrate(BEFORE)
    try:
        google = old.get_model("wagtail_booking", "GoogleConnection").objects.create(
            provider_id=provider.pk, status="connected", account="maya@example.com", credentials="gAAAA-encrypted",
            write_calendar_id="primary")
        synced = old.get_model("wagtail_booking", "SyncedCalendar")
        synced.objects.create(connection=google, calendar_id="maya@example.com", summary="Main", primary=True,
                              busy=True, sync_token="tok-1", channel_id="chan-1", channel_token_hash="f" * 64)
        synced.objects.create(connection=google, calendar_id="team@example.com", summary="Team")
        old.get_model("wagtail_booking", "BusyBlock").objects.create(
            provider_id=provider.pk, source="google", calendar_id="maya@example.com", external_id="ev1",
            starts_at=ny(monday, 12), ends_at=ny(monday, 13))
        old.get_model("wagtail_booking", "BookingEvent").objects.create(
            booking_id=booking.pk, connection=google, calendar_id="primary", event_id="abc123",
            written_start=booking.start, written_end=booking.end)
        migrate(AFTER)
    finally:
        migrate([("wagtail_booking", _latest())])

    from wagtail_booking.snippets.models import BusyBlock
    from wagtail_booking.sync.models import BookingEvent, CalendarConnection

    moved = CalendarConnection.objects.get(provider=provider)
    assert (moved.kind, moved.status, moved.account, moved.credentials) == (
        "google", "connected", "maya@example.com", "gAAAA-encrypted")
    main, team = moved.calendars.order_by("-primary")
    assert (main.remote_id, main.busy, main.receives_bookings, main.cursor, main.watch_id) == (
        "maya@example.com", True, True, "tok-1", "chan-1")
    assert main.watch_secret_hash == "f" * 64 and not team.busy and not team.receives_bookings
    assert BusyBlock.objects.get(external_id="ev1").connected_calendar == main
    event = BookingEvent.objects.get(booking=booking)
    assert (event.connection, event.connected_calendar, event.calendar_id, event.event_id) == (
        moved, main, "maya@example.com", "abc123")


def _latest():
    executor = MigrationExecutor(connection)
    return max(name for app, name in executor.loader.graph.leaf_nodes() if app == "wagtail_booking")
