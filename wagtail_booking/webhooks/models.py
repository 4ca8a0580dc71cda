"""Where a business sends its events (endpoints) and every attempt to send one (deliveries)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..encryption import decrypt, encrypt
from .signing import new_secret


class WebhookEndpoint(models.Model):
    """An address of the business's that receives booking and payment events, signed with its own secret."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("business (site)"))
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Event types (see events.EVENT_TYPES); empty means every event.
    events = models.JSONField(_("events"), default=list, blank=True)
    # The signing secret ("whsec_..."), encrypted at rest (see encryption.py).
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    # Failed attempts since the last delivered one; a success resets it.
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        ordering = ["site_id", "url"]

    def __str__(self):
        return self.description or self.url

    def save(self, *args, **kwargs):
        if not self.secret_encrypted:
            self.new_secret()
        super().save(*args, **kwargs)

    @property
    def secret(self) -> str:
        return decrypt(self.secret_encrypted)

    def new_secret(self) -> str:
        """Give the endpoint a fresh signing secret (not saved); deliveries from now on are signed with it."""
        secret = new_secret()
        self.secret_encrypted = encrypt(secret)
        return secret

    def subscribes_to(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookDeliveryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=WebhookDelivery.Status.PENDING)


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint: the exact payload, and what the endpoint last answered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be delivered")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries",
                                 verbose_name=_("endpoint"))
    # The same for every endpoint and for a replay: receivers deduplicate on it.
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4)
    event_type = models.CharField(_("event"), max_length=40)
    booking = models.ForeignKey("wagtail_booking.Booking", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("booking"))
    payload = models.JSONField()
    # Order of this delivery among the endpoint's deliveries about the same booking: it waits for earlier ones.
    sequence = models.PositiveIntegerField(default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    response_body = models.TextField(_("last response"), blank=True)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The delivery this one replays, when staff pressed Replay.
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "booking", "sequence"],
                                               name="wb_webhook_delivery_sequence")]
        indexes = [models.Index(fields=["next_attempt_at"], name="wb_webhook_due",
                                condition=Q(status="pending"))]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint}"
