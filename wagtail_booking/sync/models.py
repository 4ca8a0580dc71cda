"""A provider's Google Calendar connection, the calendars it reads, the events it wrote, and its iCal feed."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..bookings.models import Booking
from ..snippets.models import Provider


class GoogleConnection(models.Model):
    """One provider's link to one Google account. Credentials are stored encrypted (see ``crypto``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for Google consent")
        CONNECTED = "connected", _("Connected")
        RECONNECT = "reconnect", _("Reconnect needed")
        DISCONNECTED = "disconnected", _("Not connected")

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="google_connection",
                                    verbose_name=_("provider"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DISCONNECTED)
    account = models.CharField(_("Google account"), max_length=255, blank=True)
    credentials = models.TextField(blank=True, editable=False)  # Fernet token of the credentials JSON
    # Bookings are written to this calendar ("primary" is the account's main calendar).
    write_calendar_id = models.CharField(_("calendar for bookings"), max_length=255, default="primary")
    # OAuth in progress: the state we sent and the PKCE verifier (encrypted), checked in the callback.
    oauth_state = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    oauth_verifier = models.TextField(blank=True, editable=False)
    oauth_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    message = models.TextField(_("message for the owner"), blank=True)
    last_synced_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Google Calendar connection")

    def __str__(self):
        return f"{self.provider}: {self.get_status_display()}"

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED and bool(self.credentials)


class SyncedCalendar(models.Model):
    """One of the account's calendars; ``busy`` ones are mirrored as busy blocks, incrementally by sync token."""

    connection = models.ForeignKey(GoogleConnection, on_delete=models.CASCADE, related_name="calendars")
    calendar_id = models.CharField(max_length=255)
    summary = models.CharField(max_length=255, blank=True)
    primary = models.BooleanField(default=False)
    busy = models.BooleanField(_("counts as busy"), default=False)
    sync_token = models.TextField(blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # The push channel (events.watch) that tells us about changes; the token is stored as a SHA-256 hex digest.
    channel_id = models.CharField(max_length=64, blank=True, db_index=True)
    channel_token_hash = models.CharField(max_length=64, blank=True)
    channel_resource_id = models.CharField(max_length=255, blank=True)
    channel_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-primary", "summary"]
        constraints = [models.UniqueConstraint(fields=["connection", "calendar_id"],
                                               name="wagtail_booking_synced_calendar_unique")]

    def __str__(self):
        return self.summary or self.calendar_id


class BookingEvent(models.Model):
    """The Google event a booking was written to, so a reschedule or cancellation finds it again."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="google_event")
    connection = models.ForeignKey(GoogleConnection, on_delete=models.SET_NULL, null=True, related_name="+")
    calendar_id = models.CharField(max_length=255)
    event_id = models.CharField(max_length=64)
    written_start = models.DateTimeField(null=True)
    written_end = models.DateTimeField(null=True)
    deleted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)


def new_feed_salt() -> str:
    return secrets.token_hex(16)


class CalendarFeed(models.Model):
    """A provider's iCal subscription feed. Its URL carries an HMAC of ``salt``; a new salt revokes old URLs."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="calendar_feed")
    salt = models.CharField(max_length=32, default=new_feed_salt, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
