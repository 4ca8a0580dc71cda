"""Push notifications as triggers, channel renewal, and the 15-minute poll."""

from datetime import timedelta

from django.utils import timezone

from tests.helpers import ny
from tests.sync.conftest import ACCOUNT
from wagtail_booking.snippets.models import BusyBlock
from wagtail_booking.sync.models import ConnectedCalendar
from wagtail_booking.tasks import calendar_poll_task

PUSH = "/booking/google/push/"


def notify(client, channel_id, token, state="exists"):
    return client.post(PUSH, HTTP_X_GOOG_CHANNEL_ID=channel_id, HTTP_X_GOOG_CHANNEL_TOKEN=token,
                       HTTP_X_GOOG_RESOURCE_STATE=state, HTTP_X_GOOG_RESOURCE_ID="r")


def test_push_with_right_token_syncs_wrong_token_rejected(connected, google, client, provider, monday):
    calendar = ConnectedCalendar.objects.get(connection=connected)
    channel = google.channels[calendar.watch_id]
    assert channel["address"] == "https://testserver/booking/google/push/"
    google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10))

    # A wrong token and an unknown channel are refused alike (the answer does not say which).
    assert notify(client, calendar.watch_id, "wrong-token").status_code == 404
    assert notify(client, "unknown-channel", channel["token"]).status_code == 404
    assert not BusyBlock.objects.filter(provider=provider).exists()

    assert notify(client, calendar.watch_id, channel["token"], state="sync").status_code == 200
    assert not BusyBlock.objects.filter(provider=provider).exists()  # the handshake carries no change

    assert notify(client, calendar.watch_id, channel["token"]).status_code == 200
    assert BusyBlock.objects.filter(provider=provider, source="google").count() == 1


def test_poll_renews_expiring_channels_and_stops_old_ones(connected, google, provider, monday):
    calendar = ConnectedCalendar.objects.get(connection=connected)
    old = calendar.watch_id
    ConnectedCalendar.objects.filter(pk=calendar.pk).update(watch_expires_at=timezone.now() + timedelta(hours=2))
    google.add_event(ACCOUNT, ny(monday, 9), ny(monday, 10))

    assert calendar_poll_task.call_local() == 1

    calendar.refresh_from_db()
    assert calendar.watch_id != old and calendar.watch_id in google.channels
    assert old in google.stopped_channels
    assert calendar.watch_expires_at > timezone.now() + timedelta(days=6)
    assert BusyBlock.objects.filter(provider=provider, source="google").count() == 1  # the poll synced too


def test_no_channels_without_a_push_address(google, admin_client, provider, settings):
    from tests.sync.conftest import walk_oauth

    settings.GOOGLE_PUSH_BASE_URL = ""
    walk_oauth(admin_client, provider)
    assert not google.channels
    assert not ConnectedCalendar.objects.exclude(watch_id="").exists()
