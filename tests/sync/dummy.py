"""Driving the dummy calendar service from tests: its account lives in the connection's encrypted credentials."""

from wagtail_booking.sync import crypto
from wagtail_booking.sync.backends import dummy
from wagtail_booking.sync.models import CalendarConnection


def connect_dummy(admin_client, provider, account, calendars=2) -> CalendarConnection:
    """What the owner does: Calendars page > Connect Test calendar > the form (the first sync runs at once)."""
    response = admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connect/dummy/",
                                 {"account": account, "calendars": calendars})
    assert response.status_code == 302, response.content
    return CalendarConnection.objects.get(provider=provider, kind="dummy", account=account)


def change(connection, how, *args, **kwargs) -> None:
    """Change the "service" side: ``how`` is ``dummy.add_busy``, ``remove_busy``, ``expire_cursors`` or ``fail``."""
    connection.refresh_from_db()
    connection.credentials = crypto.encrypt(how(crypto.decrypt(connection.credentials), *args, **kwargs))
    CalendarConnection.objects.filter(pk=connection.pk).update(credentials=connection.credentials)


def written(connection, calendar_id) -> dict:
    connection.refresh_from_db()
    return dummy.written(crypto.decrypt(connection.credentials), calendar_id)


def watches(connection) -> dict:
    connection.refresh_from_db()
    return dummy.watches(crypto.decrypt(connection.credentials))


def add_busy(connection, calendar_id, uid, start, end, title="Busy"):
    change(connection, dummy.add_busy, calendar_id, uid, start, end, title)


def remove_busy(connection, calendar_id, uid):
    change(connection, dummy.remove_busy, calendar_id, uid)
