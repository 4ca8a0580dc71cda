"""The outbox: effects recorded with the change, isolated receivers, failures recorded, Wagtail tasks on commit."""

import logging

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from tests.helpers import ny
from tests.outbox.test_redis_outage import free_port
from wagtail_booking import signals
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.outbox.dispatch import sweep
from wagtail_booking.outbox.models import OutboxMessage
from wagtail_booking.snippets.models import Service

pytestmark = pytest.mark.django_db(transaction=True)


def book(service, day, hour=10, email="ann@example.com"):
    return services.create_hold(service, ny(day, hour), services.ClientDetails("Ann", email, "America/New_York"))


def test_side_effects_are_recorded_in_the_bookings_transaction(service, monday, site_root):
    with pytest.raises(RuntimeError), transaction.atomic():
        book(service, monday)
        assert OutboxMessage.objects.filter(task__endswith="send_booking_email_task").count() == 1
        raise RuntimeError("the request failed after the booking")
    assert not Booking.objects.exists() and not OutboxMessage.objects.exists() and not mail.outbox


def test_a_failing_receiver_never_stops_the_others_or_the_booking(service, monday, site_root, caplog):
    def broken_receiver(sender, booking, **kwargs):
        Booking.objects.filter(pk=booking.pk).update(client_name="changed by a broken receiver")
        raise ValueError("a third-party receiver is broken")

    signals.booking_confirmed.connect(broken_receiver, dispatch_uid="test-broken")
    try:
        with caplog.at_level(logging.ERROR):
            booking = book(service, monday)
    finally:
        signals.booking_confirmed.disconnect(dispatch_uid="test-broken")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.client_name == "Ann"  # its savepoint rolled back
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Your booking is confirmed", "New booking"]
    assert "a third-party receiver is broken" in caplog.text


def test_a_side_effect_that_keeps_failing_is_recorded_and_not_retried_forever(service, monday, site_root):
    dead_smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                 "EMAIL_PORT": free_port(), "EMAIL_TIMEOUT": 2}
    with override_settings(**dead_smtp, WAGTAIL_BOOKING={"OUTBOX_SWEEP_AFTER_SECONDS": 0}):
        booking = book(service, monday)
        message = OutboxMessage.objects.get(task__endswith="send_booking_email_task", args=[booking.pk, "confirmed"])
        message.refresh_from_db()
        assert message.attempts == 1 and message.failed_at is None  # Huey retries later, with backoff
        for _retry in range(3):  # the retries (here handed over by the sweep, as after a lost retry)
            sweep()
    message.refresh_from_db()
    assert message.delivered_at is None and message.failed_at is not None
    assert message.attempts == message.max_attempts == 4
    assert "Connection refused" in message.last_error
    assert sweep() == 0  # given up on: staff see it, the sweep does not loop on it
    assert OutboxMessage.objects.filter(delivered_at__isnull=False).exists()  # the other effects went out


def test_the_sweep_hands_over_what_was_never_queued_and_delivers_it_once(service, monday, site_root):
    HUEY.immediate = False  # an enqueue that goes nowhere: as if the process died right after the commit
    try:
        booking = book(service, monday)
    finally:
        HUEY.storage.flush_all()
        HUEY.immediate = True
    assert not mail.outbox
    OutboxMessage.objects.update(pushed_at=None)
    with override_settings(WAGTAIL_BOOKING={"OUTBOX_SWEEP_AFTER_SECONDS": 0}):
        assert sweep() == OutboxMessage.objects.count()
        assert sweep() == 0
    assert [(m.to, m.subject.split(":")[0]) for m in mail.outbox] == [
        ([booking.client_email], "Your booking is confirmed"), ([booking.provider.email], "New booking")]


@override_settings(TASKS={"default": {"BACKEND": "wagtail_booking.tasks_backend.HueyOnCommitBackend"}})
def test_wagtail_tasks_wait_for_the_commit_and_survive_a_broker_outage(provider, site_root, caplog):
    HUEY.immediate = False
    saved = HUEY.storage
    try:
        with transaction.atomic():
            Service.objects.create(name="Massage", duration_minutes=60)
            assert HUEY.pending_count() == 0  # Wagtail's reference-index task would not find the row yet
        assert HUEY.pending_count() == 1
        HUEY.storage = RedisStorage(name="wb-down", url=f"redis://127.0.0.1:{free_port()}/0")
        with transaction.atomic():
            snippet = Service.objects.create(name="Facial", duration_minutes=30)
        assert Service.objects.filter(pk=snippet.pk).exists()  # saved although the task could not be queued
        assert "the broker is unavailable" in caplog.text
    finally:
        HUEY.storage = saved
        HUEY.storage.flush_all()
        HUEY.immediate = True


def test_async_receivers_run_too_each_in_its_savepoint(service, monday, site_root):
    seen = []

    async def async_receiver(sender, booking, **kwargs):
        seen.append(booking.reference)

    signals.booking_confirmed.connect(async_receiver, dispatch_uid="test-async")
    try:
        booking = book(service, monday)
    finally:
        signals.booking_confirmed.disconnect(dispatch_uid="test-async")
    assert seen == [booking.reference]
