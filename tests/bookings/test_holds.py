"""Holds and bookings through the service layer."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking import signals
from wagtail_booking.bookings import services
from wagtail_booking.bookings.availability import available_slots
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import check_token, manage_token
from wagtail_booking.snippets.models import BusyBlock, TimeOff

CLIENT = services.ClientDetails(name="Ann Client", email="ann@example.com", timezone="Europe/London")


@pytest.fixture
def captured():
    events = []

    def receiver(signal):
        def handler(sender, booking, **kwargs):
            kwargs.pop("signal", None)
            events.append((signal, booking.reference, kwargs))
        return handler

    handlers = {name: receiver(name) for name in ("confirmed", "cancelled", "rescheduled", "requested")}
    for name, handler in handlers.items():
        getattr(signals, f"booking_{name}").connect(handler)
    yield events
    for name, handler in handlers.items():
        getattr(signals, f"booking_{name}").disconnect(handler)


def starts(service, day):
    return [slot.start for slot in available_slots(service, ny(day, 0), ny(day, 23, 59))]


@pytest.mark.django_db(transaction=True)
def test_instant_free_service_is_confirmed_with_email_and_ics(service, monday, captured):
    booking = services.create_hold(service, ny(monday, 10), CLIENT)
    assert booking.status == Booking.Status.CONFIRMED
    assert ("confirmed", booking.reference, {}) in captured
    [message, to_provider] = mail.outbox
    assert message.to == ["ann@example.com"] and to_provider.to == [booking.provider.email]
    # Shown in the client's zone, London: 10:00 New York is 15:00 (14:00 in the weeks the changes differ).
    london = ny(monday, 10).astimezone(ZoneInfo("Europe/London"))
    assert "Consultation" in message.subject and f"{london:%H:%M}" in message.subject
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    content = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VEVENT" in content and booking.reference in content
    assert "DTSTART:" + booking.start.strftime("%Y%m%dT%H%M%SZ") in content
    assert f"/booking/manage/{booking.reference}/{manage_token(booking)}/" in message.body


def test_booked_slot_is_no_longer_offered_and_buffers_count(provider, monday):
    service = ServiceFactory(providers=[provider], buffer_after_minutes=30)
    services.create_hold(service, ny(monday, 10), CLIENT)
    free = starts(service, monday)
    assert ny(monday, 10) not in free
    assert ny(monday, 10, 30) not in free  # inside the 30-minute buffer after 10:00-10:30
    assert ny(monday, 9, 30) not in free  # its own buffer would run into 10:00
    assert ny(monday, 11) in free


def test_taking_a_busy_slot_is_refused_with_alternatives(service, monday):
    services.create_hold(service, ny(monday, 10), CLIENT)
    with pytest.raises(services.SlotUnavailable) as error:
        services.create_hold(service, ny(monday, 10), CLIENT)
    assert [slot.start for slot in error.value.alternatives] == [ny(monday, 9), ny(monday, 9, 30), ny(monday, 10, 30)]
    assert Booking.objects.count() == 1


def test_any_provider_books_whoever_is_free(provider, monday):
    other = ProviderFactory(name="Sam")
    service = ServiceFactory(providers=[provider, other])
    first = services.create_hold(service, ny(monday, 10), CLIENT)
    second = services.create_hold(service, ny(monday, 10), CLIENT)
    assert {first.provider_id, second.provider_id} == {provider.pk, other.pk}
    with pytest.raises(services.SlotUnavailable):
        services.create_hold(service, ny(monday, 10), CLIENT)


def test_busy_blocks_and_time_off_remove_slots(service, provider, monday):
    BusyBlock.objects.create(provider=provider, starts_at=ny(monday, 9), ends_at=ny(monday, 10), source="google")
    TimeOff.objects.create(provider=provider, starts_at=ny(monday, 13), ends_at=ny(monday + timedelta(days=1), 0))
    free = starts(service, monday)
    assert ny(monday, 9) not in free and ny(monday, 9, 30) not in free and ny(monday, 10) in free
    assert free[-1] == ny(monday, 12, 30)


def test_request_mode_waits_for_approval(provider, monday, captured):
    service = ServiceFactory(providers=[provider], booking_mode="request")
    booking = services.create_hold(service, ny(monday, 10), CLIENT)
    assert booking.status == Booking.Status.REQUESTED
    assert ny(monday, 10) not in starts(service, monday)  # a request holds its slot
    services.approve(booking)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED
    with pytest.raises(services.NotAllowed):
        services.decline(booking)


def test_declined_request_frees_the_slot(provider, monday):
    service = ServiceFactory(providers=[provider], booking_mode="request")
    booking = services.create_hold(service, ny(monday, 10), CLIENT)
    services.decline(booking)
    assert ny(monday, 10) in starts(service, monday)


def test_paid_service_is_refused_clearly_when_no_payment_is_set_up(provider, monday):
    service = ServiceFactory(providers=[provider], price=50, deposit_kind="fixed", deposit_value=10)
    with pytest.raises(services.NotAllowed, match="payment"):
        services.create_hold(service, ny(monday, 10), CLIENT)
    assert not Booking.objects.exists()


def test_an_expired_hold_stops_blocking_at_once(service, provider, monday):
    expired = BookingFactory(service=service, provider=provider, start=ny(monday, 10), status=Booking.Status.HELD,
                             hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert ny(monday, 10) in starts(service, monday)
    booking = services.create_hold(service, ny(monday, 10), CLIENT)
    assert booking.status == Booking.Status.CONFIRMED
    expired.refresh_from_db()
    assert expired.status == Booking.Status.EXPIRED
    assert services.delete_expired_holds() == 0  # already marked expired; nothing live to clean


def test_live_hold_blocks_and_periodic_task_deletes_expired(service, provider, monday):
    live = BookingFactory(service=service, provider=provider, start=ny(monday, 10), status=Booking.Status.HELD,
                          hold_expires_at=timezone.now() + timedelta(minutes=10))
    assert ny(monday, 10) not in starts(service, monday)
    Booking.objects.filter(pk=live.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    from wagtail_booking.tasks import delete_expired_holds_task

    assert ny(monday, 10) in starts(service, monday)  # free at once...
    assert delete_expired_holds_task.call_local() == 0  # ...but kept a while for a late payment
    assert services.complete_hold(live).status == Booking.Status.CONFIRMED  # which still finds it
    services.cancel(live, by="staff")
    late = BookingFactory(service=service, provider=provider, start=ny(monday, 11), status=Booking.Status.HELD,
                          hold_expires_at=timezone.now() - timedelta(hours=25))
    assert delete_expired_holds_task.call_local() == 1
    assert not Booking.objects.filter(pk=late.pk).exists()
    with pytest.raises(services.SlotUnavailable):
        services.complete_hold(late)


def test_complete_hold_seam_confirms_or_reports_a_lost_slot(provider, monday):
    service = ServiceFactory(providers=[provider])
    hold = BookingFactory(service=service, provider=provider, start=ny(monday, 10), status=Booking.Status.HELD,
                          hold_expires_at=timezone.now() + timedelta(minutes=5))
    assert services.complete_hold(hold).status == Booking.Status.CONFIRMED
    assert services.complete_hold(hold).status == Booking.Status.CONFIRMED  # a retry changes nothing

    cancelled = BookingFactory(service=service, provider=provider, start=ny(monday, 12), status=Booking.Status.HELD,
                               hold_expires_at=timezone.now() + timedelta(minutes=5))
    services.cancel(cancelled)  # the client gave up before paying
    assert ny(monday, 12) in starts(service, monday)
    with pytest.raises(services.SlotUnavailable, match="cancelled"):
        services.complete_hold(cancelled)  # a payment arriving afterwards must be refunded

    late = BookingFactory(service=service, provider=provider, start=ny(monday, 11), status=Booking.Status.HELD,
                          hold_expires_at=timezone.now() - timedelta(minutes=1))
    services.create_hold(service, ny(monday, 11), CLIENT)  # someone took it after the hold expired
    with pytest.raises(services.SlotUnavailable):
        services.complete_hold(late)
    assert Booking.objects.get(pk=late.pk).status == Booking.Status.EXPIRED


def test_cancel_and_reschedule_respect_the_cutoff(service, provider, monday, captured,
                                                 django_capture_on_commit_callbacks):
    booking = services.create_hold(service, ny(monday, 10), CLIENT)
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule(booking, ny(monday, 14))
    assert ny(monday, 10) in starts(service, monday) and ny(monday, 14) not in starts(service, monday)
    assert any(event[0] == "rescheduled" and event[2]["previous_start"] == ny(monday, 10) for event in captured)
    too_late = ny(monday, 14) - timedelta(hours=23)
    with pytest.raises(services.NotAllowed, match="24 hours"):
        services.cancel(booking, now=too_late)
    services.cancel(booking, by="staff", now=too_late)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    assert ny(monday, 14) in starts(service, monday)
    with pytest.raises(services.NotAllowed):
        services.cancel(booking)


def test_reschedule_onto_a_taken_time_keeps_the_booking(service, monday):
    mine = services.create_hold(service, ny(monday, 10), CLIENT)
    services.create_hold(service, ny(monday, 11), CLIENT)
    with pytest.raises(services.SlotUnavailable):
        services.reschedule(mine, ny(monday, 11))
    mine.refresh_from_db()
    assert mine.start == ny(monday, 10) and mine.status == Booking.Status.CONFIRMED


def test_reschedule_may_overlap_its_own_old_time(service, monday):
    booking = services.create_hold(service, ny(monday, 10), CLIENT)
    services.reschedule(booking, ny(monday, 10, 30))
    assert Booking.objects.get(pk=booking.pk).start == ny(monday, 10, 30)


def test_tokens_are_not_stored_and_altered_ones_fail(service, monday):
    booking = services.create_hold(service, ny(monday, 10), CLIENT)
    token = manage_token(booking)
    stored = Booking.objects.filter(pk=booking.pk).values()[0]
    assert token not in str(stored)
    tampered = token[:-1] + ("1" if token[-1] != "1" else "2")
    assert check_token(booking, token) and not check_token(booking, tampered) and not check_token(booking, "")


# The constraint is migration 0002's EXCLUDE USING gist; on SQLite the serialised booking code is the only guard
# (tested there by test_concurrency.py and the other tests here).
@pytest.mark.postgres_only("the no-overlap exclusion constraint (btree_gist) exists only on PostgreSQL")
def test_database_forbids_overlap_whatever_writes(service, provider, monday):
    """The exclusion constraint: a raw insert that skips the booking code still cannot overlap."""
    BookingFactory(service=service, provider=provider, start=ny(monday, 10))
    with pytest.raises(IntegrityError, match="wagtail_booking_no_overlap"), transaction.atomic():
        BookingFactory(service=service, provider=provider, start=ny(monday, 10, 15))
    # Cancelled rows and other providers do not count.
    BookingFactory(service=service, provider=provider, start=ny(monday, 10), status=Booking.Status.CANCELLED)
    BookingFactory(service=service, provider=ProviderFactory(), start=ny(monday, 10))


def test_staff_booking_outside_hours_but_never_over_busy_time(service, provider, monday):
    client = services.ClientDetails(name="Walk-in", email="walkin@example.com", timezone="America/New_York")
    evening = services.create_by_staff(service, provider, ny(monday, 19), client)
    assert evening.status == Booking.Status.CONFIRMED
    with pytest.raises(services.SlotUnavailable):
        services.create_by_staff(service, provider, ny(monday, 19, 15), client)


def test_intake_form_version_is_recorded(provider, intake_form, monday):
    from wagtail_booking.bookings.intake import client_details

    service = ServiceFactory(providers=[provider], intake_form=intake_form)
    answers = {"what_brings_you_here": "Back pain", "preferred_contact": "Phone", "mobile": "(212) 555-0123",
               "topics": ["Back", "Sleep"]}
    client = client_details(service, "Ann", "ann@example.com", "", "Europe/London", answers)
    booking = services.create_hold(service, ny(monday, 10), client)
    assert booking.intake_form_version == intake_form.version == 1
    saved = {a["field"]: a["value"] for a in Booking.objects.get(pk=booking.pk).intake_answers}
    assert saved == {"what_brings_you_here": "Back pain", "preferred_contact": "Phone", "mobile": "+12125550123",
                     "topics": ["Back", "Sleep"]}
    intake_form.save()
    intake_form.refresh_from_db()
    assert intake_form.version == 2
    assert Booking.objects.get(pk=booking.pk).intake_form_version == 1


# The hand-written SQL is PostgreSQL's (EXTRACT(EPOCH ...), = ANY(array)); SQLite always runs the ORM version,
# which every slot test exercises there.
@pytest.mark.postgres_only("availability's hand-written busy-time SQL runs only on PostgreSQL")
def test_fast_busy_query_matches_the_orm_query(service, provider, monday):
    """availability reads busy time with hand-written SQL on PostgreSQL; it must agree with the ORM version."""
    from wagtail_booking.bookings import availability

    other = ProviderFactory()
    service.providers.add(other)
    now = timezone.now()
    mine = BookingFactory(service=service, provider=provider, start=ny(monday, 9))
    BookingFactory(service=service, provider=provider, start=ny(monday, 10), status=Booking.Status.HELD,
                   hold_expires_at=now - timedelta(minutes=1))  # expired: not busy
    BookingFactory(service=service, provider=provider, start=ny(monday, 11), status=Booking.Status.HELD,
                   hold_expires_at=now + timedelta(minutes=1))
    BookingFactory(service=service, provider=other, start=ny(monday, 12), status=Booking.Status.REQUESTED)
    BookingFactory(service=service, provider=other, start=ny(monday, 13), status=Booking.Status.CANCELLED)
    BusyBlock.objects.create(provider=provider, starts_at=ny(monday, 14, 0) + timedelta(microseconds=123457),
                             ends_at=ny(monday, 15))
    TimeOff.objects.create(provider=other, starts_at=ny(monday, 16), ends_at=ny(monday, 17))
    ids, start, end = [provider.pk, other.pk], ny(monday, 0), ny(monday, 23)
    for exclude in (None, mine):
        fast = sorted(availability._busy_rows_postgresql(ids, start, end, now, exclude))
        orm = sorted(availability._busy_rows_orm(ids, start, end, now, exclude))
        assert fast == orm
        assert len(fast) == (5 if exclude is None else 4)
