"""After an upgrade renamed the reminder task (or Redis lost its schedule), one command schedules them again."""

from io import StringIO

import pytest
from django.core.management import call_command
from huey.contrib.djhuey import HUEY

from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.notifications.sending import reminder_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_requeue_reminders_schedules_upcoming_confirmed_bookings_once(service, monday, site_root):
    HUEY.storage.flush_all()
    kept = services.create_hold(service, ny(monday, 10), services.ClientDetails("Ann", "a@example.com", "UTC"))
    cancelled = services.create_hold(service, ny(monday, 12), services.ClientDetails("Bo", "b@example.com", "UTC"))
    services.cancel(cancelled, by="staff")
    HUEY.storage.flush_all()  # the schedule is gone (old task names, or a Redis that lost its data)
    out = StringIO()
    call_command("booking_requeue_reminders", stdout=out)
    assert "Scheduled 2 reminders for 1 upcoming confirmed bookings." in out.getvalue()
    assert {task.id for task in HUEY.scheduled()} == {reminder_id(kept.pk, lead, kept.start) for lead in (1440, 60)}
    HUEY.storage.flush_all()
