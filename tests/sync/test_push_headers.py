"""Google push notifications with malformed channel headers or odd tokens: a 404 like any unknown channel or wrong
token, never a 500."""

import pytest

from tests.sync.test_push import notify
from wagtail_booking.sync.models import ConnectedCalendar

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("channel_id", ["", "a\u0000b", "c" * 65, "ünïcode", "id with spaces"])
def test_malformed_channel_ids_are_404(client, channel_id):
    assert notify(client, channel_id, "token").status_code == 404


def test_a_real_channel_with_an_oversized_or_odd_token_is_refused(connected, client):
    calendar = ConnectedCalendar.objects.get(connection=connected)
    assert notify(client, calendar.watch_id, "t" * 5000).status_code == 404
    assert notify(client, calendar.watch_id, "tok\u0000en").status_code == 404
