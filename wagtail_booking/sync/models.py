"""A provider's calendar connections (any kind), the remote calendars they read, the events written back, and
the provider's own iCal feed. Backends (``sync/backends``) hold no rows: the engine owns everything here."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..bookings.models import Booking
from ..snippets.models import Provider


class CalendarConnection(models.Model):
    """One provider's link to one calendar account of one kind. A provider may have several, of any kinds (two
    Google accounts, an Outlook and an iCloud one). ``credentials`` is a Fernet token (``sync/crypto.py``) of what
    the backend needs: an OAuth token cache, a CalDAV login, a feed URL."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for consent")
        CONNECTED = "connected", _("Connected")
        RECONNECT = "reconnect", _("Reconnect needed")
        DISCONNECTED = "disconnected", _("Not connected")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="calendar_connections",
                                 verbose_name=_("provider"))
    kind = models.CharField(_("kind"), max_length=20)  # a key of CALENDAR_BACKENDS: "google", "caldav", ...
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DISCONNECTED)
    account = models.CharField(_("account"), max_length=255, blank=True)
    credentials = models.TextField(blank=True, editable=False)
    # OAuth in progress: the state we sent and the PKCE verifier (encrypted), checked in the callback.
    oauth_state = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    oauth_verifier = models.TextField(blank=True, editable=False)
    oauth_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    message = models.TextField(_("message for the owner"), blank=True)
    last_synced_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider", "created_at", "pk"]
        verbose_name = _("calendar connection")

    def __str__(self):
        return f"{self.provider}: {self.kind} {self.account} ({self.get_status_display()})".replace("  ", " ")

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED and bool(self.credentials)


class ConnectedCalendar(models.Model):
    """One calendar of a connected account. ``busy`` ones are mirrored as busy blocks, incrementally by ``cursor``;
    at most one of the provider's calendars (across all connections) ``receives_bookings``."""

    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="calendars")
    # Copied from the connection so the database can keep "one calendar receives bookings per provider".
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+", editable=False)
    remote_id = models.CharField(max_length=1024)
    name = models.CharField(_("name"), max_length=255, blank=True)
    primary = models.BooleanField(default=False)
    writable = models.BooleanField(default=True)
    busy = models.BooleanField(_("counts as busy"), default=False)
    receives_bookings = models.BooleanField(_("receives bookings"), default=False)
    cursor = models.TextField(blank=True)  # the backend's sync token / delta link / ETag; "" = next import is full
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # The push subscription on this calendar; its secret is stored as a SHA-256 hex digest only.
    watch_id = models.CharField(max_length=255, blank=True, db_index=True)
    watch_secret_hash = models.CharField(max_length=64, blank=True)
    watch_resource = models.CharField(max_length=1024, blank=True)
    watch_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["connection", "-primary", "name"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "remote_id"], name="wagtail_booking_calendar_remote_unique"),
            models.UniqueConstraint(fields=["provider"], condition=models.Q(receives_bookings=True),
                                    name="wagtail_booking_one_booking_calendar"),
        ]

    def __str__(self):
        return self.name or self.remote_id

    def save(self, *args, **kwargs):
        self.provider_id = self.connection.provider_id
        super().save(*args, **kwargs)


class BookingEvent(models.Model):
    """The event a booking was written to, so a reschedule or cancellation finds it again."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="calendar_event")
    connection = models.ForeignKey(CalendarConnection, on_delete=models.SET_NULL, null=True, related_name="+")
    connected_calendar = models.ForeignKey(ConnectedCalendar, on_delete=models.SET_NULL, null=True,
                                           related_name="+")
    calendar_id = models.CharField(max_length=1024)  # the remote id, kept after the calendar row is gone
    event_id = models.CharField(max_length=1024)  # as the backend returned it
    written_start = models.DateTimeField(null=True)
    written_end = models.DateTimeField(null=True)
    deleted = models.BooleanField(default=False)
    meeting_url = models.CharField(max_length=1024, blank=True)  # the video link the service made
    updated_at = models.DateTimeField(auto_now=True)


def new_feed_salt() -> str:
    return secrets.token_hex(16)


class CalendarFeed(models.Model):
    """A provider's iCal subscription feed. Its URL carries an HMAC of ``salt``; a new salt revokes old URLs."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="calendar_feed")
    salt = models.CharField(max_length=32, default=new_feed_salt, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
