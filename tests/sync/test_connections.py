"""Several calendar connections per provider, of different kinds, through one engine: the dummy backend and the
real Google SDKs against the loopback fake, all at once."""

from datetime import timedelta

import pytest

from tests.helpers import ny
from tests.sync.conftest import ACCOUNT
from tests.sync.dummy import add_busy, change, connect_dummy, remove_busy, watches, written
from wagtail_booking.bookings import services
from wagtail_booking.snippets.models import BusyBlock
from wagtail_booking.sync.backends import dummy
from wagtail_booking.sync.backends.google import event_id_for
from wagtail_booking.sync.models import BookingEvent, CalendarConnection, ConnectedCalendar
from wagtail_booking.tasks import calendar_sync_task

CLIENT = services.ClientDetails(name="Pat Client", email="pat@example.com", timezone="America/New_York")
ANA, BEN = "ana@dummy.example", "ben@dummy.example"


def free_hours(client, service, day):
    response = client.get(f"/booking/api/services/{service.pk}/slots",
                          {"start": day.isoformat(), "end": day.isoformat(), "tz": "America/New_York"})
    assert response.status_code == 200
    return {s["start"][11:16] for s in response.json()["slots"]}


@pytest.fixture
def three(connected, admin_client, provider, google, monday):
    """Google (connected first, so its main calendar receives bookings) and two dummy accounts."""
    return connected, connect_dummy(admin_client, provider, ANA), connect_dummy(admin_client, provider, BEN, 1)


def test_busy_time_from_every_connection_blocks_slots(three, client, google, service, monday):
    google_connection, ana, ben = three
    google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10), summary="Dentist")
    add_busy(ana, ANA, "a1", ny(monday, 11), ny(monday, 12))
    add_busy(ben, BEN, "b1", ny(monday, 13), ny(monday, 14))
    add_busy(ana, f"team-{ANA}", "t1", ny(monday, 15), ny(monday, 16))  # not chosen as busy: does not block

    for connection in three:
        calendar_sync_task(connection.pk)

    hours = free_hours(client, service, monday)
    assert {"09:00", "11:00", "13:00"}.isdisjoint(hours) and {"10:00", "12:00", "15:00"} <= hours
    assert BusyBlock.objects.filter(source="dummy").count() == 2

    remove_busy(ana, ANA, "a1")  # deleted in the service: the slot comes back at the next sync
    add_busy(ben, BEN, "b1", ny(monday, 14), ny(monday, 15))  # moved
    calendar_sync_task(ana.pk)
    calendar_sync_task(ben.pk)
    hours = free_hours(client, service, monday)
    assert "11:00" in hours and "13:00" in hours and "14:00" not in hours


def test_first_connections_primary_receives_bookings_and_only_it(three, provider, service, google, monday,
                                                                 django_capture_on_commit_callbacks):
    google_connection, ana, ben = three
    chosen = ConnectedCalendar.objects.get(provider=provider, receives_bookings=True)
    assert chosen.connection_id == google_connection.pk and chosen.primary

    with django_capture_on_commit_callbacks(execute=True):
        booking = services.create_by_staff(service, provider, ny(monday, 10), CLIENT)

    assert event_id_for(booking.reference) in google.events(ACCOUNT)
    assert not written(ana, ANA) and not written(ben, BEN)


def test_choosing_another_calendar_moves_upcoming_bookings(three, admin_client, provider, service, google, monday,
                                                           django_capture_on_commit_callbacks):
    google_connection, ana, ben = three
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.create_by_staff(service, provider, ny(monday, 10), CLIENT)
    target = ConnectedCalendar.objects.get(connection=ana, remote_id=ANA)
    busy = ConnectedCalendar.objects.filter(provider=provider, busy=True).values_list("pk", flat=True)

    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/",
                                 {"busy": list(busy), "receives_bookings": target.pk})

    assert response.status_code == 302
    assert ConnectedCalendar.objects.filter(provider=provider, receives_bookings=True).get() == target
    assert event_id_for(booking.reference) not in google.events(ACCOUNT)  # taken off the old calendar...
    assert list(written(ana, ANA)) == [f"wb-{booking.reference}"]  # ...and written to the new one
    record = BookingEvent.objects.get(booking=booking)
    assert record.connected_calendar == target and not record.deleted
    calendar_sync_task(ana.pk)
    assert not BusyBlock.objects.filter(connected_calendar=target).exists()  # our own event is not busy


def test_the_database_allows_one_booking_calendar_per_provider(three, provider):
    from django.db import IntegrityError, transaction

    _google, ana, _ben = three
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectedCalendar.objects.filter(connection=ana, primary=True).update(receives_bookings=True)


def test_disconnecting_one_leaves_the_others_working(three, admin_client, client, provider, service, google, monday):
    google_connection, ana, ben = three
    google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10))
    add_busy(ana, ANA, "a1", ny(monday, 11), ny(monday, 12))
    add_busy(ben, BEN, "b1", ny(monday, 13), ny(monday, 14))
    for connection in three:
        calendar_sync_task(connection.pk)

    response = admin_client.post(
        f"/admin/booking/calendar-sync/{provider.pk}/connections/{google_connection.pk}/disconnect/", follow=True)

    assert "Bookings are no longer written to any calendar" in response.content.decode()
    assert not ConnectedCalendar.objects.filter(provider=provider, receives_bookings=True).exists()
    hours = free_hours(client, service, monday)
    assert "09:00" in hours and {"11:00", "13:00"}.isdisjoint(hours)  # the others' blocks stay in place
    add_busy(ben, BEN, "b2", ny(monday, 15), ny(monday, 16))
    calendar_sync_task(ben.pk)  # and they keep syncing; no calendar is chosen behind the owner's back
    assert "15:00" not in free_hours(client, service, monday)
    assert not ConnectedCalendar.objects.filter(provider=provider, receives_bookings=True).exists()


def test_revoked_connection_keeps_its_blocks_and_says_reconnect(three, admin_client, client, provider, service,
                                                                monday):
    _google, ana, ben = three
    add_busy(ana, ANA, "a1", ny(monday, 11), ny(monday, 12))
    calendar_sync_task(ana.pk)
    change(ana, dummy.fail, "revoked")

    calendar_sync_task(ana.pk)

    ana.refresh_from_db()
    assert ana.status == CalendarConnection.Status.RECONNECT and "Connect again" in ana.message
    assert "11:00" not in free_hours(client, service, monday)  # the last known busy time still blocks
    page = admin_client.get(f"/admin/booking/calendar-sync/{provider.pk}/").content.decode()
    assert "Reconnect needed" in page and "Reconnect" in page
    dashboard = admin_client.get("/admin/").content.decode()
    assert "calendar connection needs reconnecting" in dashboard


def test_unavailable_and_other_errors_keep_blocks_and_tell_the_owner(three, provider, monday):
    from wagtail_booking.sync.backends.base import Unavailable
    from wagtail_booking.sync.jobs import sync_connection

    _google, ana, _ben = three
    add_busy(ana, ANA, "a1", ny(monday, 11), ny(monday, 12))
    calendar_sync_task(ana.pk)
    change(ana, dummy.fail, "unavailable", retry_after=120)
    with pytest.raises(Unavailable) as raised:
        sync_connection(ana.pk)
    assert raised.value.retry_after == 120
    ana.refresh_from_db()
    assert ana.status == "connected" and "tried again" in ana.message

    change(ana, dummy.fail, "error")
    calendar_sync_task(ana.pk)
    ana.refresh_from_db()
    assert ana.status == "connected" and "not a calendar" in ana.message
    assert BusyBlock.objects.filter(connected_calendar__connection=ana).count() == 1


def test_expired_cursor_resyncs_in_full_without_an_empty_moment(three, provider, monday):
    _google, ana, _ben = three
    calendar = ConnectedCalendar.objects.get(connection=ana, remote_id=ANA)
    add_busy(ana, ANA, "kept", ny(monday, 9), ny(monday, 10))
    add_busy(ana, ANA, "gone", ny(monday, 11), ny(monday, 12))
    calendar_sync_task(ana.pk)
    remove_busy(ana, ANA, "gone")
    change(ana, dummy.expire_cursors)
    seen = []

    from django.db.models.signals import post_delete

    def count_on_delete(sender, instance, **kwargs):  # what availability would read mid-import
        seen.append(BusyBlock.objects.filter(connected_calendar=calendar).exclude(pk=instance.pk).count())

    post_delete.connect(count_on_delete, sender=BusyBlock)
    try:
        calendar_sync_task(ana.pk)
    finally:
        post_delete.disconnect(count_on_delete, sender=BusyBlock)

    assert set(BusyBlock.objects.filter(connected_calendar=calendar).values_list("external_id", flat=True)) == {
        "kept"}
    assert seen and min(seen) >= 1  # the calendar was never seen empty
    calendar.refresh_from_db()
    assert calendar.cursor.startswith("2:")


def test_push_endpoint_queues_the_calendar_and_ignores_a_wrong_secret(three, client, provider, monday, settings):
    import json

    _google, ana, _ben = three
    calendar = ConnectedCalendar.objects.get(connection=ana, remote_id=ANA)
    assert calendar.watch_id and len(calendar.watch_secret_hash) == 64  # made at the first sync, secret hashed
    add_busy(ana, ANA, "a1", ny(monday, 11), ny(monday, 12))

    def push(secret):
        return client.post("/booking/calendar-push/dummy/", json.dumps({"watch": calendar.watch_id,
                                                                        "secret": secret}),
                           content_type="application/json")

    assert push("wrong").status_code == 404
    assert not BusyBlock.objects.filter(connected_calendar=calendar).exists()
    assert client.post("/booking/calendar-push/nosuchkind/", {}).status_code == 404
    assert client.post("/booking/calendar-push/dummy/?ping=hello").content == b"hello"  # an immediate answer


def test_push_with_the_right_secret_syncs_that_calendar(three, client, provider, monday):
    import json

    _google, ana, _ben = three
    calendar = ConnectedCalendar.objects.get(connection=ana, remote_id=ANA)
    (watch_id, watch), = [(k, w) for k, w in watches(ana).items() if w["calendar"] == ANA]
    assert watch["address"] == "https://testserver/booking/calendar-push/dummy/" and calendar.watch_id == watch_id
    add_busy(ana, ANA, "a1", ny(monday, 11), ny(monday, 12))

    response = client.post("/booking/calendar-push/dummy/", json.dumps({"watch": watch_id,
                                                                        "secret": watch["secret"]}),
                           content_type="application/json")

    assert response.status_code == 200
    assert BusyBlock.objects.filter(connected_calendar=calendar, external_id="a1").exists()


def test_a_refused_login_is_a_form_error(admin_client, provider):
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connect/dummy/",
                                 {"account": "x@refused.example", "calendars": 1})
    assert response.status_code == 200
    assert "refused this account" in response.content.decode()
    assert not CalendarConnection.objects.exists()


def test_google_meet_link_is_asked_for_and_stored(connected, google, provider, monday):
    from wagtail_booking.sync.backends.base import EventDraft
    from wagtail_booking.sync.engine import open_backend

    draft = EventDraft(reference="MEET1234", summary="Online consultation", description="", start=ny(monday, 10),
                       end=ny(monday, 11), time_zone="America/New_York", online_meeting=True)
    with open_backend(connected) as backend:
        first = backend.write_event(ACCOUNT, draft)
        again = backend.write_event(ACCOUNT, draft, first.event_id)  # an update keeps the same meeting

    assert first.meeting_url.startswith("https://meet.google.com/") and again.meeting_url == first.meeting_url
    event = google.events(ACCOUNT)[first.event_id]
    assert event["conferenceData"]["conferenceSolution"]["key"]["type"] == "hangoutsMeet"
    assert google.conference_requests == ["wagtail-booking-MEET1234"] * 2


def test_two_google_accounts_may_both_have_a_calendar_called_primary(connected, provider, monday):
    other = CalendarConnection.objects.create(provider=provider, kind="google", account="b@example.com",
                                              status="connected")
    one = ConnectedCalendar.objects.create(connection=connected, remote_id="primary")
    two = ConnectedCalendar.objects.create(connection=other, remote_id="primary")
    for calendar in (one, two):
        BusyBlock.objects.create(provider=provider, source="google", calendar_id="primary", external_id="e1",
                                 connected_calendar=calendar, starts_at=ny(monday, 9),
                                 ends_at=ny(monday, 9) + timedelta(hours=1))
    assert BusyBlock.objects.filter(external_id="e1").count() == 2


def test_a_retry_after_from_the_service_sets_when_huey_tries_again(three, monday):
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    _google, ana, _ben = three
    change(ana, dummy.fail, "unavailable", retry_after=120)
    HUEY.flush()

    calendar_sync_task(ana.pk)

    (retry,) = HUEY.scheduled()
    assert retry.name.endswith("calendar_sync_task") and retry.args == (ana.pk,)
    wait = retry.eta - timezone.now().replace(tzinfo=None)
    assert timedelta(seconds=110) < wait <= timedelta(seconds=120)
    assert retry.retries == 3  # it used up one of the four retries: a service that keeps saying "later" ends


def test_a_listed_backend_that_cannot_be_imported_is_a_warning_not_a_crash(admin_client, provider, settings):
    from wagtail_booking.sync.checks import check_calendar_backends

    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "CALENDAR_BACKENDS": {
        "dummy": {"BACKEND": "wagtail_booking.sync.backends.dummy.DummyBackend"},
        "exchange": {"BACKEND": "wagtail_booking.sync.backends.exchange.ExchangeBackend"}}}

    warnings = check_calendar_backends()

    assert [(w.id, "'exchange'" in w.msg) for w in warnings] == [("wagtail_booking.W014", True)]
    page = admin_client.get(f"/admin/booking/calendar-sync/{provider.pk}/")
    assert page.status_code == 200 and "Connect Test calendar" in page.content.decode()
    assert admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connect/exchange/").status_code == 404
