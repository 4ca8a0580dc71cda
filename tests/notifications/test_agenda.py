"""The daily agenda: once per provider per local day at their hour, in their zone, across DST changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from wagtail_booking.notifications import agenda
from wagtail_booking.notifications.models import AgendaSent
from wagtail_booking.notifications.tasks import agenda_sweep_task, send_agenda_task

pytestmark = pytest.mark.django_db
NY, TOKYO = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


@pytest.fixture
def sweep(time_machine, django_capture_on_commit_callbacks):
    """Run the 15-minute sweep at ``moment``; return the agenda emails it sent."""

    def run(moment):
        time_machine.move_to(moment, tick=False)
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            agenda.queue_due(send_agenda_task)
        return mail.outbox[before:]

    return run


def provider_with(name, zone, hour, **extra):
    provider = ProviderFactory(name=name, email=f"{name.lower()}@example.com", timezone=zone, agenda_hour=hour,
                               **extra)
    return provider, ServiceFactory(name=f"{name}'s massage", providers=[provider])


def booked(provider, service, start, client="Client"):
    return BookingFactory(service=service, provider=provider, start=start, client_name=client)


def test_each_provider_gets_the_agenda_at_their_own_hour_in_their_own_zone(site_root, sweep):
    maya, maya_service = provider_with("Maya", "America/New_York", 7)
    kenji, kenji_service = provider_with("Kenji", "Asia/Tokyo", 7)
    booked(maya, maya_service, local(NY, 2027, 3, 10, 9, 30), "Ann")
    booked(maya, maya_service, local(NY, 2027, 3, 11, 9, 30), "Tomorrow's client")
    booked(kenji, kenji_service, local(TOKYO, 2027, 3, 11, 13, 0), "Bo")

    assert sweep(utc(2027, 3, 10, 11, 45)) == []  # 06:45 in New York, 20:45 in Tokyo
    [to_maya] = sweep(utc(2027, 3, 10, 12, 0))  # 07:00 in New York
    assert to_maya.to == ["maya@example.com"]
    assert to_maya.subject == "Your agenda for Wednesday 10 March 2027: 1 appointment"
    assert "09:30" in to_maya.body and "Ann" in to_maya.body and "Tomorrow's client" not in to_maya.body
    assert "America/New_York" in to_maya.body and "09:30" in to_maya.alternatives[0][0]
    assert sweep(utc(2027, 3, 10, 12, 15)) == [] and sweep(utc(2027, 3, 10, 15, 0)) == []  # once that day
    [to_kenji] = sweep(utc(2027, 3, 10, 22, 0))  # 07:00 on 11 March in Tokyo
    assert to_kenji.to == ["kenji@example.com"] and "Thursday 11 March 2027" in to_kenji.subject
    assert "13:00" in to_kenji.body and "Asia/Tokyo" in to_kenji.body
    [next_day] = sweep(utc(2027, 3, 11, 12, 0))
    assert next_day.to == ["maya@example.com"] and "Tomorrow's client" in next_day.body


def test_the_hour_skipped_by_spring_forward_comes_right_after_the_gap_and_the_day_is_23_hours(site_root, sweep):
    maya, service = provider_with("Maya", "America/New_York", 2)  # 02:00 does not exist on 14 March 2027
    booked(maya, service, local(NY, 2027, 3, 14, 0, 30), "Just after midnight")
    booked(maya, service, local(NY, 2027, 3, 14, 23, 30), "Late evening")
    booked(maya, service, local(NY, 2027, 3, 15, 0, 30), "Next day")
    assert sweep(utc(2027, 3, 14, 6, 45)) == []  # 01:45 EST
    [email] = sweep(utc(2027, 3, 14, 7, 0))  # 03:00 EDT, right after the gap
    assert "Sunday 14 March 2027: 2 appointments" in email.subject
    assert "00:30" in email.body and "23:30" in email.body and "Next day" not in email.body


def test_the_hour_repeated_by_fall_back_sends_once(site_root, sweep):
    maya, service = provider_with("Maya", "America/New_York", 1)  # 01:00-02:00 happens twice on 7 November
    booked(maya, service, local(NY, 2027, 11, 7, 10, 0), "Ann")
    booked(maya, service, local(NY, 2027, 11, 7, 23, 30), "Late")  # a 25-hour day: 23:30 is still that day
    assert len(sweep(utc(2027, 11, 7, 5, 0))) == 1  # 01:00 EDT
    assert sweep(utc(2027, 11, 7, 6, 15)) == []  # 01:15 EST, the same hour again
    assert AgendaSent.objects.get().appointments == 2


def test_nothing_booked_means_no_email_unless_the_provider_wants_one(site_root, sweep):
    provider_with("Maya", "America/New_York", 7)
    provider_with("Noor", "America/New_York", 7, agenda_when_empty=True)
    [email] = sweep(utc(2027, 3, 10, 12, 0))
    assert email.to == ["noor@example.com"] and "Nothing is booked for you on Wednesday 10 March 2027" in email.body
    assert sorted(AgendaSent.objects.values_list("appointments", flat=True)) == [0, 0]  # Maya's day is done too


def test_no_agenda_outside_the_hours_after_the_chosen_one_or_when_switched_off(site_root, sweep):
    maya, service = provider_with("Maya", "America/New_York", 7)
    quiet, quiet_service = provider_with("Quiet", "America/New_York", None)
    booked(maya, service, local(NY, 2027, 3, 10, 21, 0))
    booked(quiet, quiet_service, local(NY, 2027, 3, 10, 21, 0))
    # Maya chose 07:00 at 20:00: that morning's agenda is not sent in the evening.
    assert sweep(utc(2027, 3, 11, 1, 0)) == []
    assert not AgendaSent.objects.exists()


def test_the_sweep_runs_every_quarter_hour():
    assert agenda_sweep_task.task_class().validate_datetime(datetime(2027, 3, 10, 12, 15))
    assert not agenda_sweep_task.task_class().validate_datetime(datetime(2027, 3, 10, 12, 5))
