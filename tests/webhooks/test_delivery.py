"""Deliveries to a loopback receiver: signed, retried after a 500, kept in order, disabled after days of failure."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from tests.webhooks.conftest import LOOPBACK, book
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.tasks import webhook_sweep_task
from wagtail_booking.webhooks import verify_signature
from wagtail_booking.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)


def sweep():
    return webhook_sweep_task.call_local()


def test_each_delivery_is_signed_and_verifies_with_the_documented_recipe(service, monday, endpoint, receiver):
    booking = book(service, monday)
    assert [e["type"] for e in receiver.delivered] == ["booking.created", "booking.confirmed"]
    request = receiver.requests[0]
    header = request["headers"]["Booking-Signature"]
    assert verify_signature(request["body"], header, endpoint.secret)
    assert recipe_verifies(request["body"], header, endpoint.secret)
    assert not verify_signature(request["body"], header, "whsec_someone_else")
    assert not verify_signature(request["body"].replace(b"Ann Lee", b"Eve Lee"), header, endpoint.secret)
    event = json.loads(request["body"])
    assert request["headers"]["Booking-Event-Id"] == event["id"]
    assert event["data"]["booking"]["reference"] == booking.reference
    assert endpoint.secret.startswith("whsec_")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret_encrypted.find(endpoint.secret) == -1  # encrypted


def test_a_stale_signature_is_refused(service, monday, endpoint, receiver, time_machine):
    book(service, monday)
    request = receiver.requests[0]
    time_machine.shift(timedelta(minutes=6))
    assert not verify_signature(request["body"], request["headers"]["Booking-Signature"], endpoint.secret)


def recipe_verifies(payload: bytes, header: str, secret: str, tolerance=300) -> bool:
    """The recipe of docs/howto/webhooks.md, copied verbatim (standard library only)."""
    import hashlib
    import hmac
    import time

    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def test_a_500_is_retried_with_backoff_until_it_is_delivered(service, monday, endpoint, receiver, time_machine):
    receiver.fail(2)
    with override_settings(WAGTAIL_BOOKING={**LOOPBACK, "WEBHOOK_RETRY_SCHEDULE": [60, 300]}):
        booking = book(service, monday)
        first = WebhookDelivery.objects.get(event_type="booking.created")
        assert first.status == "pending" and first.attempts == 1 and first.response_status == 500
        assert "receiver broke" in first.response_body
        assert timedelta(seconds=60) <= first.next_attempt_at - first.last_attempt_at < timedelta(seconds=62)
        assert sweep() == 0  # not due yet
        time_machine.shift(timedelta(seconds=61))
        sweep()
        first.refresh_from_db()
        assert first.status == "pending" and first.attempts == 2  # the receiver failed a second time
        time_machine.shift(timedelta(seconds=301))
        sweep()
    first.refresh_from_db()
    assert first.status == "delivered" and first.attempts == 3 and first.response_status == 200
    assert [e["type"] for e in receiver.delivered] == ["booking.created", "booking.confirmed"]
    assert {e["data"]["booking"]["reference"] for e in receiver.delivered} == {booking.reference}
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures == 0


def test_events_of_one_booking_arrive_in_order_even_when_the_first_failed(service, monday, endpoint, receiver,
                                                                          time_machine):
    receiver.fail(1)
    booking = book(service, monday)  # created fails; confirmed must wait for it
    services.cancel(booking, by="staff")  # a third event happens while the first is still failing
    assert receiver.delivered == []
    waiting = WebhookDelivery.objects.get(event_type="booking.cancelled")
    assert waiting.status == "pending" and waiting.attempts == 0
    time_machine.shift(timedelta(seconds=61))
    sweep()
    assert [e["type"] for e in receiver.delivered] == ["booking.created", "booking.confirmed", "booking.cancelled"]
    assert list(WebhookDelivery.objects.order_by("sequence").values_list("sequence", "status")) == [
        (1, "delivered"), (2, "delivered"), (3, "delivered")]


def test_other_bookings_do_not_wait_for_a_failing_one(service, monday, endpoint, receiver):
    receiver.fail(1)
    first = book(service, monday, 10)
    second = book(service, monday, 12, email="bo@example.com")
    references = [e["data"]["booking"]["reference"] for e in receiver.delivered]
    assert second.reference in references and first.reference not in references


def test_an_endpoint_failing_for_the_whole_schedule_is_disabled_and_the_owner_emailed_once(
        service, monday, endpoint, receiver, time_machine):
    receiver.fail(1000)
    with override_settings(WAGTAIL_BOOKING={**LOOPBACK, "WEBHOOK_RETRY_SCHEDULE": [60, 300]}):
        book(service, monday)
        for _round in range(3):
            time_machine.shift(timedelta(seconds=301))
            sweep()
        endpoint.refresh_from_db()
        assert not endpoint.active and endpoint.disabled_at is not None
        assert "Every delivery failed" in endpoint.disabled_reason
        assert WebhookDelivery.objects.get(event_type="booking.created").status == "failed"
        disabled_mail = [m for m in mail.outbox if m.subject.startswith("Webhook endpoint disabled")]
        assert len(disabled_mail) == 1 and disabled_mail[0].to == ["owner@calmhands.example"]
        assert endpoint.url in disabled_mail[0].body and "/admin/booking/webhooks/" in disabled_mail[0].body
        # The confirmed event never got past the failed one's retries: it waits while the endpoint is disabled.
        before = len(receiver.requests)
        time_machine.shift(timedelta(hours=1))
        sweep()
        book(service, monday, 13, email="cy@example.com")
        assert len(receiver.requests) == before  # nothing goes to a disabled endpoint
        assert len([m for m in mail.outbox if m.subject.startswith("Webhook endpoint disabled")]) == 1


def test_one_poison_event_does_not_disable_an_endpoint_that_takes_others(service, monday, endpoint, receiver,
                                                                         time_machine):
    with override_settings(WAGTAIL_BOOKING={**LOOPBACK, "WEBHOOK_RETRY_SCHEDULE": [60]}):
        receiver.fail(1)
        book(service, monday, 10)
        book(service, monday, 12, email="bo@example.com")  # delivered: the endpoint works
        receiver.fail(1)
        time_machine.shift(timedelta(seconds=61))
        sweep()
    assert WebhookDelivery.objects.filter(status="failed").count() == 1
    endpoint.refresh_from_db()
    assert endpoint.active


def test_replay_sends_the_same_event_again(service, monday, endpoint, receiver, admin_client):
    book(service, monday)
    original = WebhookDelivery.objects.get(event_type="booking.created")
    response = admin_client.post(f"/admin/booking/webhooks/{endpoint.pk}/deliveries/{original.pk}/replay/")
    assert response.status_code == 302
    assert [e["type"] for e in receiver.delivered] == ["booking.created", "booking.confirmed", "booking.created"]
    assert receiver.delivered[0] == receiver.delivered[2]  # same id, same payload
    replayed = WebhookDelivery.objects.get(replay_of=original)
    assert replayed.status == "delivered" and replayed.event_id == original.event_id
    assert receiver.requests[2]["headers"]["Booking-Event-Id"] == str(original.event_id)


def test_a_rolled_back_change_sends_nothing(service, monday, endpoint, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        book(service, monday)
        assert WebhookDelivery.objects.count() == 2
        raise RuntimeError("the request failed after the booking")
    assert not Booking.objects.exists() and not WebhookDelivery.objects.exists() and receiver.requests == []


def test_re_enabling_sends_what_waited(service, monday, endpoint, receiver, admin_client, time_machine):
    receiver.fail(1000)
    with override_settings(WAGTAIL_BOOKING={**LOOPBACK, "WEBHOOK_RETRY_SCHEDULE": [60]}):
        book(service, monday)
        time_machine.shift(timedelta(seconds=61))
        sweep()
        endpoint.refresh_from_db()
        assert not endpoint.active
        receiver.reset()
        response = admin_client.post(f"/admin/booking/webhooks/{endpoint.pk}/enable/")
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_at is None
    assert [e["type"] for e in receiver.delivered] == ["booking.confirmed"]  # created had been given up on


def test_events_the_endpoint_did_not_subscribe_to_are_not_sent(service, monday, endpoint, receiver):
    endpoint.events = ["booking.cancelled"]
    endpoint.save()
    booking = book(service, monday)
    assert receiver.requests == []
    services.cancel(booking, by="staff")
    assert [e["type"] for e in receiver.delivered] == ["booking.cancelled"]
