"""A client waiting for a place: for any time on a day, one time, or one class session."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..bookings.models import Booking, ClassSession
from ..businesses import default_site_id
from ..snippets.models import Provider, Service


class WaitlistEntry(models.Model):
    """One client in one waitlist. Entries of the same want are served by ``position``, lowest first.

    A freed place is offered to one entry at a time: the entry is ``offered`` until ``offer_expires_at``, with a
    claim link whose token is stored only as a hash. Claiming books through the ordinary hold, so the first valid
    claim wins under the same database guarantees as any booking.
    """

    class Scope(models.TextChoices):
        DAY = "day", _("Any time that day")
        TIME = "time", _("That time")
        SESSION = "session", _("That class")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a place")
        CLAIMED = "claimed", _("Booked")
        EXPIRED = "expired", _("Offer lapsed")
        LEFT = "left", _("Left the waitlist")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             editable=False, verbose_name=_("business"))
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="waitlist",
                                verbose_name=_("service"))
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("provider"), help_text=_("Empty: anyone who offers the service."))
    scope = models.CharField(_("waiting for"), max_length=10, choices=Scope.choices)
    day = models.DateField(_("day"), null=True, blank=True)
    start = models.DateTimeField(_("time"), null=True, blank=True)
    session = models.ForeignKey(ClassSession, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="waitlist", verbose_name=_("class session"))
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)

    client_name = models.CharField(_("client name"), max_length=200)
    client_email = models.EmailField(_("client email"))
    client_phone = models.CharField(_("client phone"), max_length=20, blank=True)
    client_timezone = models.CharField(_("client time zone"), max_length=64)
    sms_consent = models.BooleanField(_("agreed to text messages"), default=False)
    language = models.CharField(_("language"), max_length=15, blank=True, default="")

    position = models.PositiveIntegerField(_("place in line"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    # The place offered: its start and provider (and session, for a class).
    offered_start = models.DateTimeField(_("offered time"), null=True, blank=True)
    offered_provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", verbose_name=_("offered provider"))
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer ends"), null=True, blank=True)
    claim_token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("booking"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        indexes = [models.Index(fields=["service", "status", "position"], name="wb_waitlist_service_line"),
                   models.Index(fields=["status", "offer_expires_at"], name="wb_waitlist_offers")]

    def __str__(self):
        return f"{self.client_name} · {self.service}"
