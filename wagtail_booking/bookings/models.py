"""Holds and bookings live in one table so that one database constraint can forbid any overlap."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..businesses import default_site_id
from ..formats import when
from ..site_settings import business_zone
from ..snippets.models import IntakeForm, Provider, Service
from ..snippets.prices import with_tax

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class ClassSession(models.Model):
    """One provider's group class at one time: clients book seats in it until ``capacity`` is reached.

    The session, not its bookings, keeps the provider (and its room, if any) busy. ``seats_taken`` is kept by a
    database trigger from the session's live bookings (migration 0030) and a check constraint holds it within
    ``capacity``: no code path can sell more seats than the session has.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    # The reason kept for staff when the minimum attendance was not met; it also tells the client's email why.
    TOO_FEW_SEATS = "Too few seats booked by the cut-off"

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             editable=False, verbose_name=_("business"))
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("service"))
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="sessions",
                                 verbose_name=_("provider"))
    resource = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="resource_sessions", null=True,
                                 blank=True, verbose_name=_("resource"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    blocked_start = models.DateTimeField(editable=False)
    blocked_end = models.DateTimeField(editable=False)
    capacity = models.PositiveSmallIntegerField(_("seats"))
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    # Opened by a client's first booking rather than scheduled ahead by staff: closed again once every seat has
    # been given back, so an abandoned hold does not keep the provider busy (bookings.sessions).
    on_demand = models.BooleanField(_("opened by a booking"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("class session")
        indexes = [models.Index(fields=["provider", "blocked_start", "blocked_end"], name="wb_session_provider_span"),
                   models.Index(fields=["service", "start"], name="wb_session_service_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(seats_taken__lte=models.F("capacity")),
                                   name="wagtail_booking_session_seats_within_capacity"),
            models.UniqueConstraint(fields=["service", "provider", "start"],
                                    condition=models.Q(status="scheduled"),
                                    name="wagtail_booking_session_unique_start"),
        ]

    def __str__(self):
        return f"{self.service} · {when(self.start, self.business_zone)}"

    @cached_property
    def business_zone(self) -> str:
        return business_zone(self.site)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def cancelled_for_attendance(self) -> bool:
        """Called off because too few seats were booked by the cut-off (``bookings.attendance``)."""
        return self.status == self.Status.CANCELLED and self.cancelled_reason == self.TOO_FEW_SEATS


class BookingSeries(models.Model):
    """The same appointment every ``every_weeks`` weeks, at the same wall-clock time in the provider's zone.

    Each occurrence is an ordinary :class:`Booking` pointing here, so every guarantee of a single booking holds
    for each; the series keeps the rule it was made from and how it is paid.
    """

    class Payment(models.TextChoices):
        PER_OCCURRENCE = "per_occurrence", _("Each appointment's deposit before it")
        UP_FRONT = "up_front", _("All deposits when booking")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             editable=False, verbose_name=_("business"))
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="series", verbose_name=_("service"))
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="series",
                                 verbose_name=_("provider"))
    every_weeks = models.PositiveSmallIntegerField(_("every (weeks)"), default=1)
    occurrences = models.PositiveSmallIntegerField(_("appointments asked for"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    local_time = models.TimeField(_("time"))
    timezone = models.CharField(_("time zone"), max_length=64)
    payment = models.CharField(_("payment"), max_length=16, choices=Payment.choices,
                               default=Payment.PER_OCCURRENCE)
    client_name = models.CharField(_("client name"), max_length=200)
    client_email = models.EmailField(_("client email"))
    created_by = models.CharField(_("booked by"), max_length=10, default="client")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")

    def __str__(self):
        return f"{self.service} · {self.client_name}"


class BookingQuerySet(models.QuerySet):
    def blocking(self, now=None):
        """Rows that keep their provider busy now: live bookings and holds that have not expired."""
        now = now or timezone.now()
        return self.filter(status__in=Booking.BLOCKING_STATUSES).exclude(
            status=Booking.Status.HELD, hold_expires_at__lte=now
        )

    def expired_holds(self, now=None):
        return self.filter(status=Booking.Status.HELD, hold_expires_at__lte=now or timezone.now())


class Booking(models.Model):
    """A client's appointment, from the hold that reserves its slot to its outcome."""

    class Status(models.TextChoices):
        HELD = "held", _("Held (client finishing)")
        REQUESTED = "requested", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")
        EXPIRED = "expired", _("Hold expired")

    # Statuses whose time range the exclusion constraint protects (see migration 0002).
    BLOCKING_STATUSES = ("held", "requested", "confirmed", "completed", "no_show")

    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_reference, editable=False)
    # The business the booking is with: its service's site, copied when the hold is made.
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             editable=False, verbose_name=_("business"))
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings",
                                verbose_name=_("service"))
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="bookings",
                                 verbose_name=_("provider"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    # The span the provider is kept busy, buffers included: what the no-overlap constraint compares.
    blocked_start = models.DateTimeField(editable=False)
    blocked_end = models.DateTimeField(editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.HELD)
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)

    client_name = models.CharField(_("client name"), max_length=200)
    client_email = models.EmailField(_("client email"))
    client_phone = models.CharField(_("client phone"), max_length=20, blank=True)
    client_timezone = models.CharField(_("client time zone"), max_length=64)
    sms_consent = models.BooleanField(_("agreed to text messages"), default=False)
    # The language the client booked in (one of settings.LANGUAGES): every later email and text is written in it.
    language = models.CharField(_("language"), max_length=15, blank=True, default="")

    intake_form = models.ForeignKey(IntakeForm, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    intake_form_version = models.PositiveIntegerField(null=True, blank=True)
    intake_answers = models.JSONField(default=list, blank=True)

    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=0)
    deposit_due = models.DecimalField(_("deposit due"), max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, blank=True)

    manage_token_salt = models.CharField(max_length=32, default="", editable=False)
    manage_token_hash = models.CharField(max_length=64, default="", editable=False)

    # The video link of an online appointment (see bookings/meetings.py): the provider's own link, or the one the
    # calendar that received the booking made (Google Meet, Microsoft Teams).
    meeting_url = models.URLField(_("video link"), max_length=500, blank=True, editable=False)

    # A seat booking belongs to a class session; its ``seats`` count towards the session's capacity and the
    # session, not the booking, keeps the provider busy (the no-overlap constraint skips rows with a session).
    session = models.ForeignKey(ClassSession, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="bookings", verbose_name=_("class session"))
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    # The room or equipment the booking holds beside its provider (snippets.resources).
    resource = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="resource_bookings", verbose_name=_("resource"))
    series = models.ForeignKey(BookingSeries, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="bookings", verbose_name=_("series"))
    # A later appointment of a client's series with a deposit (bookings/series_payments.py), kept held until its
    # deposit is due: "reserved" once an earlier deposit of the series is paid, "link_sent" once its payment link
    # went out, "charging" while a series paid up front charges it, "lapsed" once the client was told it was
    # released unpaid. Empty for every other booking.
    deposit_step = models.CharField(_("series deposit"), max_length=10, blank=True, default="", editable=False)

    staff_notes = models.TextField(_("staff notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        verbose_name = _("booking")
        indexes = [
            models.Index(fields=["provider", "blocked_start", "blocked_end"], name="wb_booking_provider_span"),
            models.Index(fields=["status", "start"], name="wb_booking_status_start"),
            models.Index(fields=["client_email"], name="wb_booking_client_email"),
            models.Index(fields=["resource", "blocked_start", "blocked_end"], name="wb_booking_resource_span"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(seats__gte=1), name="wagtail_booking_seats_positive")]
        permissions = [("manage_bookings", "Can approve, decline and cancel bookings")]

    def __str__(self):
        return f"{self.reference} · {self.service} · {when(self.start, self.business_zone)}"

    @cached_property
    def business_zone(self) -> str:
        """The zone the booking's business runs its day in; listings set it once per business for their rows."""
        return business_zone(self.site)

    def clean(self):
        """A booking's service and provider are of the booking's own business (a new one takes its service's)."""
        super().clean()
        if self.pk is None and self.service_id:
            self.site_id = self.service.site_id
        strangers = {name: _("%(row)s belongs to another business.") % {"row": getattr(self, name)}
                     for name in ("service", "provider")
                     if getattr(self, f"{name}_id") and self.site_id and getattr(self, name).site_id != self.site_id}
        if strangers:
            raise ValidationError(strangers)

    # ``price`` and ``deposit_due`` are as the service lists them (net when the business adds tax on top, as in
    # Oscar's lines and the invoice); what the client pays, and so what they are shown, is with that tax.

    @property
    def price_with_tax(self):
        """The whole price as the client pays it (see ``snippets.prices.with_tax``)."""
        return with_tax(self.service, self.price, self.currency)

    @property
    def deposit_with_tax(self):
        """The deposit as the client pays it when booking: what the payment page charges."""
        return with_tax(self.service, self.deposit_due, self.currency)

    @property
    def balance_due(self):
        """What the client still pays at the appointment: the price less the deposit, both as the client pays them,
        so that deposit + balance is the price with its tax, to the cent."""
        return self.price_with_tax - self.deposit_with_tax

    @property
    def booked_resource(self):
        """The room or equipment the appointment uses: the booking's own, or for a seat in a class its session's
        (the session holds it once for all its seats). None when the service needs none. Staff always see it."""
        if self.resource_id:
            return self.resource
        return self.session.resource if self.session_id else None

    @property
    def resource_for_client(self):
        """The room or equipment to name to the client: only when the service says to (``show_resource_to_client``)."""
        return self.booked_resource if self.service.show_resource_to_client else None

    @property
    def status_label(self) -> str:
        """The status as the client reads it: a series' later appointment says it waits for its deposit."""
        if self.status == self.Status.HELD and self.deposit_step in ("reserved", "link_sent", "charging"):
            return _("Reserved, deposit due")
        if self.status == self.Status.EXPIRED and self.deposit_step == "lapsed":
            return _("Released, deposit not paid")
        return self.get_status_display()

    @property
    def is_live(self) -> bool:
        if self.status == self.Status.HELD:
            return self.hold_expires_at is not None and self.hold_expires_at > timezone.now()
        return self.status in (self.Status.REQUESTED, self.Status.CONFIRMED)

    @property
    def video_link(self) -> str:
        """The link the client joins an online appointment by: the one made for this booking by the provider's
        calendar (Meet, Teams), else the provider's own link. "" for an appointment in person, or while it is made."""
        if not self.service.online:
            return ""
        return self.meeting_url or self.provider.meeting_url

    @property
    def video_link_pending(self) -> bool:
        """Online, with no link yet: the calendar write-back makes one and the client is sent it (meetings.py)."""
        return self.service.online and not self.video_link

    def local_start(self, zone=None):
        from zoneinfo import ZoneInfo

        return self.start.astimezone(ZoneInfo(zone or self.client_timezone))
