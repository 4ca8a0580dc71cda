"""Reminders: scheduled with an eta, revoked when the booking moves or is cancelled, never sent twice."""

from datetime import UTC, timedelta

import pytest
from django.core import mail
from huey.contrib.djhuey import HUEY

from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.notifications.models import ReminderSent
from wagtail_booking.notifications.sending import reminder_id
from wagtail_booking.notifications.tasks import send_reminder_task

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_schedule():
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


def scheduled_ids():
    return {task.id for task in HUEY.scheduled()}


def client():
    return services.ClientDetails("Ann", "ann@example.com", "America/New_York")


def test_confirmation_schedules_24h_and_1h_reminders(service, monday, site_root):
    booking = services.create_hold(service, ny(monday, 10), client())
    assert scheduled_ids() == {reminder_id(booking.pk, 1440, booking.start), reminder_id(booking.pk, 60, booking.start)}
    etas = sorted(task.eta.replace(tzinfo=UTC) for task in HUEY.scheduled())  # Huey keeps naive UTC
    assert [booking.start - eta for eta in etas] == [timedelta(hours=24), timedelta(hours=1)]


def test_reschedule_revokes_old_reminders_and_schedules_new_ones(service, monday, site_root):
    booking = services.create_hold(service, ny(monday, 10), client())
    old = {reminder_id(booking.pk, lead, booking.start) for lead in (1440, 60)}
    services.reschedule(booking, ny(monday, 14))
    assert all(HUEY.is_revoked(task_id) for task_id in old)
    assert {reminder_id(booking.pk, lead, ny(monday, 14)) for lead in (1440, 60)} <= scheduled_ids()


def test_cancel_revokes_reminders(service, monday, site_root):
    booking = services.create_hold(service, ny(monday, 10), client())
    services.cancel(booking, by="staff")
    assert all(HUEY.is_revoked(reminder_id(booking.pk, lead, booking.start)) for lead in (1440, 60))


def test_a_reminder_is_sent_once_and_rechecks_the_booking(service, monday, site_root):
    booking = services.create_hold(service, ny(monday, 10), client())
    mail.outbox.clear()
    assert send_reminder_task.call_local(booking.pk, 60, booking.start.isoformat()) == "sent"
    assert send_reminder_task.call_local(booking.pk, 60, booking.start.isoformat()) == "already sent"
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Reminder"]
    assert ReminderSent.objects.count() == 1
    assert send_reminder_task.call_local(booking.pk, 60, ny(monday, 9).isoformat()) == "moved"
    services.cancel(booking, by="staff")
    assert send_reminder_task.call_local(booking.pk, 1440, booking.start.isoformat()) == "not confirmed"


def test_moving_away_and_back_keeps_the_reminders(service, monday, site_root):
    booking = services.create_hold(service, ny(monday, 10), client())
    services.reschedule(booking, ny(monday, 14))
    services.reschedule(booking, ny(monday, 10))
    ids = {reminder_id(booking.pk, lead, ny(monday, 10)) for lead in (1440, 60)}
    assert ids <= scheduled_ids() and not any(HUEY.is_revoked(task_id) for task_id in ids)
    assert all(HUEY.is_revoked(reminder_id(booking.pk, lead, ny(monday, 14))) for lead in (1440, 60))
