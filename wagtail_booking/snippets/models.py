"""Models edited as Wagtail snippets: services, providers and their availability, busy blocks, intake forms."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES, AbstractFormField
from wagtail.models import Orderable

from ..businesses import default_site_id
from ..formats import when
from ..scheduling import DepositRule, ServiceRules, deposit_amount
from ..scheduling.policies import FIXED, FULL, NONE, PERCENT
from ..site_settings import EventsField
from ..timezones import is_known_zone
from .forms import BusyBlockForm, ProviderForm, ServiceForm
from .hours import Weekday
from .panels import HoursGridPanel


def validate_timezone(value):
    if not is_known_zone(value):
        raise ValidationError(_("%(value)s is not an IANA time zone such as Europe/London."), params={"value": value})


class Provider(ClusterableModel):
    """A staff member or a resource (a room, a chair) whose time is booked."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff member")
        RESOURCE = "resource", _("Resource")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STAFF)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_timezone],
        help_text=_("IANA time zone the working hours are given in, e.g. America/New_York."),
    )
    active = models.BooleanField(_("active"), default=True)
    # What the provider is told (notifications.staff, notifications.agenda): on their page, since a provider need
    # not have a Wagtail account; the messages go to the email and phone above.
    notify_events = EventsField(_("email me about"), blank=True, default="booked,requested,cancelled,rescheduled",
                                help_text=_("Sent to the email address above, about this provider's bookings."))
    notify_by_sms = models.BooleanField(
        _("text me these too"), default=False,
        help_text=_("The provider agreed to receive them as text messages at the phone number above (needs text "
                    "messages switched on for the business)."))
    agenda_hour = models.PositiveSmallIntegerField(
        _("daily agenda at"), null=True, blank=True, default=7, choices=[(hour, f"{hour:02d}:00")
                                                                         for hour in range(24)],
        help_text=_("An email listing the day's appointments, at this hour in the provider's time zone. "
                    "Empty: no agenda."))
    agenda_when_empty = models.BooleanField(_("send the agenda on days with nothing booked"), default=False)
    meeting_url = models.URLField(
        _("own video meeting link"), max_length=500, blank=True,
        help_text=_("For online services: a fixed link such as a Zoom personal room. Empty: each online booking gets "
                    "its own Google Meet or Teams link from the calendar that receives this provider's bookings."))

    base_form_class = ProviderForm
    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldRowPanel([FieldPanel("email"),
                         FieldPanel("phone")]), FieldPanel("timezone"), FieldPanel("services"),
                         FieldPanel("meeting_url"), FieldPanel("active")], heading=_("Provider")),
        HoursGridPanel(heading=_("Weekly hours"),
                       help_text=_("Several shifts a day split the day. Hours with dates apply between them only, "
                                   "so next month's hours can be entered ahead.")),
        InlinePanel("date_overrides", heading=_("Date overrides"), label=_("Override")),
        InlinePanel("time_off", heading=_("Time off"), label=_("Time off")),
        MultiFieldPanel([FieldPanel("notify_events"), FieldPanel("notify_by_sms"),
                         FieldRowPanel([FieldPanel("agenda_hour"), FieldPanel("agenda_when_empty")])],
                        heading=_("Notifications")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")

    def __str__(self):
        return self.name


class OpensBeforeClosesMixin:
    def clean(self):
        super().clean()
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class WeeklyHours(OpensBeforeClosesMixin, Orderable):
    """One working interval on a weekday, in the provider's zone."""

    provider = ParentalKey(Provider, related_name="weekly_hours", on_delete=models.CASCADE)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    panels = [FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")]),
              FieldRowPanel([FieldPanel("effective_from"), FieldPanel("effective_to")])]

    class Meta(Orderable.Meta):
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")


class DateOverride(OpensBeforeClosesMixin, Orderable):
    """Other hours (or closed) on one date. Several rows for one date give several intervals."""

    provider = ParentalKey(Provider, related_name="date_overrides", on_delete=models.CASCADE)
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=False)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("closed"), FieldPanel("opens"), FieldPanel("closes")])]

    def clean(self):
        super().clean()
        if not self.closed and not (self.opens and self.closes):
            raise ValidationError(_("Give opening and closing times, or tick 'closed all day'."))


class TimeOff(Orderable):
    """A span when the provider is away (holiday, training)."""

    provider = ParentalKey(Provider, related_name="time_off", on_delete=models.CASCADE)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    panels = [FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]), FieldPanel("reason")]

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("Time off must end after it starts.")})


class BusyBlock(models.Model):
    """Time a provider is busy outside our bookings: entered by hand, or synced from an external calendar."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        GOOGLE = "google", _("Synced from Google Calendar")
        ICAL = "ical", _("Synced from an iCal feed")
        MICROSOFT = "microsoft", _("Synced from Microsoft 365")
        CALDAV = "caldav", _("Synced from a CalDAV calendar")
        DUMMY = "dummy", _("Synced from the test calendar")

    provider = models.ForeignKey(Provider, related_name="busy_blocks", on_delete=models.CASCADE,
                                 verbose_name=_("provider"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL,
                              editable=False)
    external_id = models.CharField(max_length=255, blank=True, editable=False)
    calendar_id = models.CharField(max_length=255, blank=True, editable=False)
    # The connected calendar a synced block came from (a string reference: sync sits above snippets). Deleting the
    # calendar, or disconnecting its account, deletes its blocks.
    connected_calendar = models.ForeignKey("wagtail_booking.ConnectedCalendar", on_delete=models.CASCADE, null=True,
                                           blank=True, editable=False, related_name="busy_blocks")

    base_form_class = BusyBlockForm
    panels = [HelpPanel(template="wagtail_booking/admin/busy_block_source.html"), FieldPanel("provider"),
              FieldPanel("title"), FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])]

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("busy block")
        indexes = [models.Index(fields=["provider", "starts_at"])]
        constraints = [
            # Two accounts may both have a calendar called "primary": uids are unique per connected calendar.
            models.UniqueConstraint(fields=["connected_calendar", "external_id"],
                                    condition=~models.Q(external_id="") & models.Q(connected_calendar__isnull=False),
                                    name="wagtail_booking_busy_calendar_unique"),
            models.UniqueConstraint(fields=["provider", "source", "calendar_id", "external_id"],
                                    condition=~models.Q(external_id="") & models.Q(connected_calendar__isnull=True),
                                    name="wagtail_booking_busy_external_unique"),
        ]

    def __str__(self):
        return self.title or f"{self.provider}: {when(self.starts_at, self.provider.timezone)}"

    @property
    def is_synced(self):
        return self.source != self.Source.MANUAL

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A busy block must end after it starts.")})


INTAKE_FIELD_CHOICES = tuple(choice for choice in FORM_FIELD_CHOICES
                             if choice[0] not in ("url", "multiselect", "datetime", "hidden")) + (
    ("phone", _("Phone number")),
)


class IntakeForm(ClusterableModel):
    """Questions asked when booking. Each save bumps ``version``; answers record the version they answered."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    name = models.CharField(_("name"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    panels = [FieldPanel("name"), FieldPanel("intro"), InlinePanel("fields", label=_("Question"))]

    class Meta:
        verbose_name = _("intake form")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk:
            self.version = models.F("version") + 1
        super().save(*args, **kwargs)
        if self.pk and not isinstance(self.version, int):
            self.refresh_from_db(fields=["version"])

    def get_form_class(self):
        from .intake import IntakeFormBuilder

        return IntakeFormBuilder(list(self.fields.all())).get_form_class()


class IntakeFormField(AbstractFormField):
    form = ParentalKey(IntakeForm, related_name="fields", on_delete=models.CASCADE)
    field_type = models.CharField(_("field type"), max_length=16, choices=INTAKE_FIELD_CHOICES)
    field_type.required_on_save = True


class Service(ClusterableModel):
    """Something a client books: its length, buffers, price and deposit, and who offers it."""

    class Mode(models.TextChoices):
        INSTANT = "instant", _("Confirmed at once")
        REQUEST = "request", _("Request that staff approve")

    class Deposit(models.TextChoices):
        NONE = NONE, _("No payment")
        FIXED = FIXED, _("Fixed amount")
        PERCENT = PERCENT, _("Percent of the price")
        FULL = FULL, _("Full price")

    minutes = [MinValueValidator(0), MaxValueValidator(24 * 60)]

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60,
                                                   validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    buffer_before_minutes = models.PositiveIntegerField(_("buffer before (minutes)"), default=0, validators=minutes)
    buffer_after_minutes = models.PositiveIntegerField(_("buffer after (minutes)"), default=0, validators=minutes)
    slot_interval_minutes = models.PositiveIntegerField(
        _("slot interval (minutes)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text=_("Offer a start every this many minutes from opening time."))
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=Decimal("0"),
                                validators=[MinValueValidator(Decimal("0"))])
    deposit_kind = models.CharField(_("payment at booking"), max_length=10, choices=Deposit.choices,
                                    default=Deposit.NONE)
    deposit_value = models.DecimalField(_("deposit amount or percent"), max_digits=10, decimal_places=2,
                                        default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    minimum_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=120)
    booking_horizon_days = models.PositiveIntegerField(_("book up to (days ahead)"), default=90,
                                                       validators=[MinValueValidator(1), MaxValueValidator(730)])
    booking_mode = models.CharField(_("booking mode"), max_length=10, choices=Mode.choices, default=Mode.INSTANT)
    cancellation_cutoff_hours = models.PositiveIntegerField(
        _("cancellation cut-off (hours)"), default=24,
        help_text=_("Clients can cancel or reschedule online until this many hours before the start."))
    intake_form = models.ForeignKey(IntakeForm, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="services", verbose_name=_("intake form"))
    cancellation_policy = models.ForeignKey(
        "wagtail_booking.CancellationPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("cancellation policy"), help_text=_("Empty: the site's default policy."))
    providers = models.ManyToManyField(Provider, related_name="services", blank=True, verbose_name=_("providers"))
    tax_rate = models.ForeignKey("wagtail_booking.TaxRate", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("tax rate"),
                                 help_text=_("Empty: no tax. Whether prices include it is a business setting."))
    online = models.BooleanField(
        _("online (video meeting)"), default=False,
        help_text=_("Clients get a video link in their confirmation, emails, texts and calendar file: the provider's "
                    "own link, or a Google Meet or Teams link made on the provider's calendar."))
    active = models.BooleanField(_("active"), default=True)

    # Group sessions (bookings.sessions): more than one seat makes each start a class that clients book seats in.
    capacity = models.PositiveSmallIntegerField(
        _("seats per session"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("1: one client per appointment. More: a class; clients book seats until it is full."))
    max_seats_per_booking = models.PositiveSmallIntegerField(
        _("most seats one booking takes"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)])
    min_attendance = models.PositiveSmallIntegerField(
        _("fewest seats to run"), default=0, validators=[MaxValueValidator(1000)],
        help_text=_("A class with fewer seats booked at the cut-off below is cancelled and its clients refunded. "
                    "0: it always runs."))
    min_attendance_cutoff_hours = models.PositiveIntegerField(
        _("decide this many hours before"), default=24, validators=[MaxValueValidator(24 * 30)])
    # Resources (snippets.resources): a booking, or a class's session, also takes one free member of the pool.
    resource_pool = models.ForeignKey(
        "wagtail_booking.ResourcePool", null=True, blank=True, on_delete=models.PROTECT, related_name="services",
        verbose_name=_("needs a resource from"), help_text=_("Empty: the provider alone."))
    show_resource_to_client = models.BooleanField(
        _("tell the client which resource"), default=False,
        help_text=_("Show the room or equipment in the client's confirmation, emails and pages."))
    # Recurring series (bookings.series).
    allow_series = models.BooleanField(
        _("clients may book a series"), default=False,
        help_text=_("The same time every week or every few weeks. Staff can always book a series."))
    max_series_occurrences = models.PositiveSmallIntegerField(
        _("longest series"), default=12, validators=[MinValueValidator(2), MaxValueValidator(52)])

    base_form_class = ServiceForm
    panels = [
        FieldPanel("name"), FieldPanel("description"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("duration_minutes"), FieldPanel("slot_interval_minutes")]),
                         FieldRowPanel([FieldPanel("buffer_before_minutes"), FieldPanel("buffer_after_minutes")]),
                         FieldRowPanel([FieldPanel("minimum_notice_minutes"), FieldPanel("booking_horizon_days")])],
                        heading=_("Timing")),
        MultiFieldPanel([FieldPanel("price"), FieldRowPanel([FieldPanel("deposit_kind"), FieldPanel("deposit_value")]),
                         FieldPanel("tax_rate")],
                        heading=_("Price")),
        InlinePanel("other_prices", heading=_("Prices in other currencies"), label=_("Price"),
                    help_text=_("The price above is in the business's currency. A client can book in another "
                                "currency only if it has a price here (amounts are never converted).")),
        FieldPanel("booking_mode"), FieldPanel("cancellation_cutoff_hours"), FieldPanel("cancellation_policy"),
        FieldPanel("intake_form"), FieldPanel("online"),
        FieldPanel("providers"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("capacity"), FieldPanel("max_seats_per_booking")]),
                         FieldRowPanel([FieldPanel("min_attendance"), FieldPanel("min_attendance_cutoff_hours")])],
                        heading=_("Group sessions")),
        MultiFieldPanel([FieldPanel("resource_pool"), FieldPanel("show_resource_to_client")],
                        heading=_("Rooms and equipment")),
        MultiFieldPanel([FieldPanel("allow_series"), FieldPanel("max_series_occurrences")],
                        heading=_("Recurring series")),
        FieldPanel("active"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")

    def __str__(self):
        return self.name

    def clean(self):
        try:
            self.deposit_rule  # noqa: B018 - validates kind and value together
        except ValueError as error:
            raise ValidationError({"deposit_value": str(error)}) from error
        errors = {name: _("%(row)s belongs to another business.") % {"row": getattr(self, name)}
                  for name in ("intake_form", "cancellation_policy", "tax_rate", "resource_pool")
                  if getattr(self, f"{name}_id") and getattr(self, name).site_id != self.site_id}
        capacity = self.capacity or 1
        if (self.max_seats_per_booking or 1) > capacity:
            errors["max_seats_per_booking"] = _("A booking cannot take more seats than a session has (%(n)s).") % {
                "n": capacity}
        if (self.min_attendance or 0) > capacity:
            errors["min_attendance"] = _("A session cannot need more seats than it has (%(n)s).") % {"n": capacity}
        if errors:
            raise ValidationError(errors)

    @property
    def is_class(self) -> bool:
        """A group session: clients book seats in one provider's class at one time."""
        return self.capacity > 1

    @property
    def deposit_rule(self) -> DepositRule:
        return DepositRule(self.deposit_kind, Decimal(str(self.deposit_value or 0)))

    @property
    def deposit_due(self) -> Decimal:
        return deposit_amount(Decimal(str(self.price or 0)), self.deposit_rule)

    @property
    def rules(self) -> ServiceRules:
        return ServiceRules(
            duration=timedelta(minutes=self.duration_minutes),
            interval=timedelta(minutes=self.slot_interval_minutes),
            buffer_before=timedelta(minutes=self.buffer_before_minutes),
            buffer_after=timedelta(minutes=self.buffer_after_minutes),
            min_notice=timedelta(minutes=self.minimum_notice_minutes),
            horizon=timedelta(days=self.booking_horizon_days),
        )

    @property
    def cancellation_cutoff(self) -> timedelta:
        return timedelta(hours=self.cancellation_cutoff_hours)
