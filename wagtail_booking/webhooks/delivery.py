"""Record events for a business's endpoints, send them signed, retry with backoff, keep them in order per booking.

Functions here never import a task: those that cause more work take a callable (``push``, ``on_disabled``) or
return what to queue (see docs/architecture.md).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from ..bookings.models import Booking
from ..conf import booking_settings
from ..encryption import InvalidToken, fernet
from . import addresses, events
from .models import WebhookDelivery, WebhookEndpoint
from .signing import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

# While one worker sends a delivery, no other copy may start it (longer than any timeout).
LEASE = timedelta(minutes=2)
RESPONSE_KEPT = 2000  # characters of the receiver's answer kept for the admin log


def record(event_type: str, booking: Booking, payment=None, **extra) -> list[WebhookDelivery]:
    """Inside the caller's transaction: one pending delivery of the event per subscribed, active endpoint.

    The booking row is locked (already, by the booking services; or here, after the payment row, in the facade's
    lock order), so the deliveries of one booking get their sequence numbers one event at a time.
    """
    site = events.site_of(booking)
    endpoints = [e for e in WebhookEndpoint.objects.filter(site=site, active=True) if e.subscribes_to(event_type)]
    if not endpoints:
        return []
    list(Booking.objects.select_for_update(of=("self",)).filter(pk=booking.pk))
    body = events.event(event_type, booking, payment, **extra)
    return [_new_delivery(endpoint, booking, body) for endpoint in endpoints]


def _new_delivery(endpoint, booking, body, replay_of=None) -> WebhookDelivery:
    last = (WebhookDelivery.objects.filter(endpoint=endpoint, booking=booking)
            .aggregate(last=Max("sequence"))["last"]) if booking else None
    return WebhookDelivery.objects.create(
        endpoint=endpoint, booking=booking, event_id=body["id"], event_type=body["type"], payload=body,
        sequence=(last or 0) + 1, next_attempt_at=timezone.now(), replay_of=replay_of)


def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """A fresh delivery of the same event (same id and payload; receivers that saw it already can ignore it)."""
    with transaction.atomic():
        if delivery.booking_id:
            list(Booking.objects.select_for_update(of=("self",)).filter(pk=delivery.booking_id))
        return _new_delivery(delivery.endpoint, delivery.booking, delivery.payload, replay_of=delivery)


@dataclass
class Attempt:
    """What one call of :func:`attempt` did. ``outcome``: delivered, retry, failed, waiting, skipped."""

    outcome: str
    next_delivery_id: int | None = None  # the booking's next delivery to this endpoint, now free to go


def attempt(delivery_id: int, on_disabled=None, now: datetime | None = None) -> Attempt:
    """Send the delivery once if it is due and nothing earlier for its booking is still on its way; record the
    answer. ``on_disabled(endpoint)`` is called inside the transaction that disables a failing endpoint."""
    now = now or timezone.now()
    delivery, outcome = _claim(delivery_id, now)
    if delivery is None:
        return Attempt(outcome)
    status, body, error = _post(delivery, now)
    return _finish(delivery, status, body, error, on_disabled)


def _claim(delivery_id, now):
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.pending().select_for_update(of=("self",)).select_related("endpoint")
                    .filter(pk=delivery_id).first())
        if delivery is None or not delivery.endpoint.active:
            return None, "skipped"  # delivered, given up, or the endpoint is disabled (re-enabling resends)
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None, "skipped"  # being sent right now, or its retry is not due yet
        earlier = _earlier_pending(delivery)
        if earlier is not None:
            delivery.next_attempt_at = max(now, earlier.next_attempt_at or now)
            delivery.save(update_fields=["next_attempt_at"])
            return None, "waiting"
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery, ""


def _earlier_pending(delivery):
    if delivery.booking_id is None:
        return None
    return (WebhookDelivery.objects.pending()
            .filter(endpoint_id=delivery.endpoint_id, booking_id=delivery.booking_id, sequence__lt=delivery.sequence)
            .order_by("sequence").first())


def _next_pending(delivery):
    if delivery.booking_id is None:
        return None
    return (WebhookDelivery.objects.pending()
            .filter(endpoint_id=delivery.endpoint_id, booking_id=delivery.booking_id, sequence__gt=delivery.sequence)
            .order_by("sequence").values_list("pk", flat=True).first())


def _post(delivery, now):
    """(status code or None, response text, error) of one signed POST; never raises for the receiver's faults."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "wagtail-booking-webhooks/1",
        SIGNATURE_HEADER: signature_header(body, delivery.endpoint.secret, int(now.timestamp())),
        "Booking-Event-Id": str(delivery.event_id),
        "Booking-Event-Type": delivery.event_type,
    }
    try:
        response = addresses.post(delivery.endpoint.url, data=body, headers=headers,
                                  timeout=booking_settings.WEBHOOK_TIMEOUT_SECONDS)
    except addresses.RefusedAddress as error:
        return None, "", f"Not sent: {error}"[:500]
    except requests.RequestException as error:
        return None, "", f"{type(error).__name__}: {error}"[:500]
    return response.status_code, response.text[:RESPONSE_KEPT], ""


def _failure(status) -> str:
    if 300 <= status < 400:
        return f"The endpoint answered {status}, a redirect: redirects are not followed, give the final address."
    return f"The endpoint answered {status}."


def _finish(delivery, status, body, error, on_disabled) -> Attempt:
    now = timezone.now()
    ok = status is not None and 200 <= status < 300
    schedule = booking_settings.WEBHOOK_RETRY_SCHEDULE
    with transaction.atomic():
        delivery.response_status, delivery.response_body = status, body
        delivery.error = error or ("" if ok else _failure(status))
        if ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                WebhookDelivery.Status.DELIVERED, now, None)
        elif delivery.attempts > len(schedule):
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = now + timedelta(seconds=schedule[delivery.attempts - 1])
        delivery.save(update_fields=["response_status", "response_body", "error", "status", "delivered_at",
                                     "next_attempt_at"])
        failures = 0 if ok else F("consecutive_failures") + 1
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=failures)
        if delivery.status == WebhookDelivery.Status.FAILED:
            logger.warning("Webhook delivery %s (%s) to endpoint %s given up after %s attempts: %s", delivery.pk,
                           delivery.event_type, delivery.endpoint_id, delivery.attempts, delivery.error)
            _disable_if_dead(delivery.endpoint_id, len(schedule) + 1, on_disabled)
    if delivery.status == WebhookDelivery.Status.PENDING:
        return Attempt("retry")
    return Attempt(delivery.status, _next_pending(delivery))


def _disable_if_dead(endpoint_id, attempts, on_disabled):
    """A delivery was given up on: disable the endpoint if nothing at all reached it during that time."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    if not endpoint.active or endpoint.consecutive_failures < attempts:
        return
    endpoint.active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = (f"Every delivery failed for {describe_schedule()} "
                                f"({endpoint.consecutive_failures} attempts in a row).")
    endpoint.save(update_fields=["active", "disabled_at", "disabled_reason"])
    logger.error("Webhook endpoint %s disabled: %s", endpoint.pk, endpoint.disabled_reason)
    if on_disabled is not None:
        on_disabled(endpoint)


def describe_schedule() -> str:
    hours = sum(booking_settings.WEBHOOK_RETRY_SCHEDULE) / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} hours" if hours >= 2 else \
        f"{hours * 60:.0f} minutes"


def due(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Deliveries of active endpoints whose (next) attempt is due: what the sweep hands to Huey."""
    return list(WebhookDelivery.objects.pending()
                .filter(endpoint__active=True, next_attempt_at__lte=now or timezone.now())
                .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def purge(now: datetime | None = None, batch: int = 500) -> int:
    """Delete deliveries delivered or given up on more than ``WEBHOOK_KEEP_DAYS`` ago (by when they were created).

    Pending deliveries are never deleted, nor the newest delivery of each endpoint, so its log always shows the
    last thing sent. Deletes in batches, each its own short transaction, so the table is never locked for long.
    Returns how many were deleted.
    """
    cutoff = (now or timezone.now()) - timedelta(days=booking_settings.WEBHOOK_KEEP_DAYS)
    newest = WebhookDelivery.objects.values("endpoint_id").annotate(newest=Max("pk")).values("newest")
    old = (WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.PENDING).filter(created_at__lt=cutoff)
           .exclude(pk__in=newest).order_by("pk"))
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(old.values_list("pk", flat=True)[:batch])
            if ids:
                WebhookDelivery.objects.filter(pk__in=ids).exclude(status=WebhookDelivery.Status.PENDING).delete()
        deleted += len(ids)
        if len(ids) < batch:
            return deleted


def enable(endpoint: WebhookEndpoint) -> list[int]:
    """Re-enable a disabled endpoint; its waiting deliveries become due now (returned, to be queued)."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = True, None, ""
        endpoint.consecutive_failures = 0
        endpoint.save(update_fields=["active", "disabled_at", "disabled_reason", "consecutive_failures"])
        pending = endpoint.deliveries.pending()
        pending.update(next_attempt_at=timezone.now())
        return list(pending.order_by("pk").values_list("pk", flat=True))


def reencrypt_secrets() -> tuple[int, list[str]]:
    """Re-encrypt every endpoint's signing secret under the current key, each under its row lock.

    Returns how many were re-encrypted and, for the operator, the endpoints no configured key could read (their
    owners make a new secret on the endpoint's page).
    """
    key, count, unreadable = fernet(), 0, []
    for pk in WebhookEndpoint.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=pk).first()
            if endpoint is None:
                continue
            try:
                endpoint.secret_encrypted = key.rotate(endpoint.secret_encrypted.encode()).decode()
            except InvalidToken:
                unreadable.append(f"webhook endpoint {endpoint.url}")
                continue
            endpoint.save(update_fields=["secret_encrypted"])
            count += 1
    return count, unreadable
