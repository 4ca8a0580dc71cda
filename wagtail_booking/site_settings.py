"""Per-site details an editor changes in Settings > Booking, and where links in emails point outside a request."""

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.contrib.settings.models import BaseSiteSetting

from .businesses import default_site, site_root_url
from .formats import currency_choices
from .timezones import TimeZoneField

# What the business's people can be told about (notifications.staff sends them).
STAFF_EVENTS = [("booked", _("New booking")), ("requested", _("Request awaiting approval")),
                ("cancelled", _("Cancellation")), ("rescheduled", _("Reschedule")),
                ("payment_failed", _("Payment failure"))]
ALL_STAFF_EVENTS = ",".join(name for name, _label in STAFF_EVENTS)


def events_of(value: str) -> set[str]:
    """The event names stored in an :class:`EventsField` value ("booked,cancelled")."""
    return {part.strip() for part in (value or "").split(",") if part.strip()}


class EventsFormField(forms.MultipleChoiceField):
    """Checkboxes for :class:`EventsField`: shows the stored "a,b" as ticks and stores the ticks as "a,b"."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, max_length=None, empty_value=None, **kwargs):
        kwargs.setdefault("choices", STAFF_EVENTS)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return sorted(events_of(value)) if isinstance(value, str) else value

    def clean(self, value):
        chosen = set(super().clean(value))
        return ",".join(name for name, _label in STAFF_EVENTS if name in chosen)

    def has_changed(self, initial, data):
        return events_of(initial or "") != set(data or [])


class EventsField(models.CharField):
    """Which staff events someone wants, stored as comma-separated names, edited as checkboxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": EventsFormField, "required": False, **kwargs})


class BusinessSettingsForm(WagtailAdminModelForm):
    """Checks the reminder lead times; the zone is chosen from a list. ``notifications`` plugs in a subclass that
    also checks SMS can work."""

    time_zone = TimeZoneField(
        label=_("Time zone"), required=False,
        help_text=_("Where the business runs its day: the admin, its calendar, exports and staff emails show times "
                    "here. Empty: the server's zone."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        policy = self.fields.get("default_cancellation_policy")
        if policy is not None and self.instance.site_id:
            # A business's default policy is one of its own.
            policy.queryset = policy.queryset.filter(site_id=self.instance.site_id)

    def clean_reminder_lead_hours(self):
        raw = self.cleaned_data.get("reminder_lead_hours", "")
        for part in filter(None, (p.strip() for p in raw.split(","))):
            try:
                if float(part) <= 0:
                    raise ValueError
            except ValueError as error:
                raise forms.ValidationError(_("Give hours as positive numbers separated by commas, e.g. 24,1.")) \
                    from error
        return raw

    def clean_staff_notify_emails(self):
        addresses = owner_addresses(self.cleaned_data.get("staff_notify_emails", ""))
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError as error:
                raise forms.ValidationError(_("“%(address)s” is not an email address. Give addresses separated by "
                                              "commas or one per line.") % {"address": address}) from error
        return "\n".join(addresses)


def owner_addresses(raw: str) -> list[str]:
    """The addresses in a "staff notifications: send to" value, in order, each once."""
    seen, addresses = set(), []
    for part in (raw or "").replace(";", ",").replace("\n", ",").split(","):
        address = part.strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    return addresses


class BusinessSettings(BaseSiteSetting):
    base_form_class = BusinessSettingsForm

    business_name = models.CharField(_("business name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True,
        help_text=_("Where the business runs its day: the admin, its calendar, exports and staff emails show times "
                    "here. Empty: the server's zone."))
    sms_enabled = models.BooleanField(
        _("send text messages"), default=False,
        help_text=_("Needs Twilio credentials in the server settings and a test message that went through."))
    sms_test_passed_at = models.DateTimeField(_("last successful test message"), null=True, blank=True,
                                              editable=False)
    reminder_lead_hours = models.CharField(
        _("reminders (hours before)"), max_length=50, default="24,1",
        help_text=_("Comma-separated, e.g. 24,1 sends a reminder a day and an hour before. Empty: no reminders."))
    staff_notify_emails = models.TextField(
        _("staff notifications: send to"), blank=True,
        help_text=_("The owners' or front desk's addresses, one per line or separated by commas. They get the "
                    "messages ticked below for every booking of the business; providers choose their own on their "
                    "page. Empty: nobody but the providers."))
    staff_notify_events = EventsField(
        _("staff notifications: about"), blank=True, default=ALL_STAFF_EVENTS,
        help_text=_("What the addresses above are told about."))
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, choices=currency_choices,
        help_text=_("The currency the business's services, packages and gift cards are priced in. A service may add "
                    "prices in other currencies. Empty: the shop's default currency."))
    prices_include_tax = models.BooleanField(
        _("prices include tax"), default=False,
        help_text=_("Ticked: a service's price already includes its tax rate (the tax is worked out of it). "
                    "Not ticked: the tax is added on top at payment."))
    default_cancellation_policy = models.ForeignKey(
        "wagtail_booking.CancellationPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("default cancellation policy"), help_text=_("Used by services that name none."))
    charge_no_show_fee_automatically = models.BooleanField(
        _("charge the no-show fee automatically"), default=False,
        help_text=_("When staff mark a no-show and the client agreed to keep a card on file, charge the policy's "
                    "no-show fee to it straight away. Off: staff charge it from the booking's page."))

    waitlist_offer_minutes = models.PositiveIntegerField(
        _("waitlist offers last (minutes)"), default=120,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
        help_text=_("When a place frees, the next client on the waitlist has this long to claim it before it is "
                    "offered to the one after."))

    class Meta:
        verbose_name = _("booking business details")
        # Given per site to groups (Settings > Groups > site permissions): staff see only their businesses' data.
        permissions = [("access_business", "Can work in this business's bookings")]

    def display_name(self):
        return self.business_name or self.site.site_name or "our business"


def _site(site):
    return site if site is not None else default_site()


def site_base_url(site=None) -> str:
    """Root URL for links to ``site`` (the default site when not given)."""
    return site_root_url(_site(site))


def site_settings(site=None):
    """``site``'s business details (the default site's when not given), or None on an install with no site."""
    site = _site(site)
    return BusinessSettings.for_site(site) if site else None


def business_zone(site=None) -> str:
    """The IANA zone ``site``'s business runs its day in: its setting, else the server's ``TIME_ZONE``."""
    details = site_settings(site)
    return (details.time_zone if details is not None else "") or settings.TIME_ZONE


def business_name(site=None) -> str:
    site = _site(site)
    return BusinessSettings.for_site(site).display_name() if site else "our business"


def business_currency(site=None) -> str:
    """The ISO 4217 code ``site``'s business prices in: its setting, else ``OSCAR_DEFAULT_CURRENCY``."""
    details = site_settings(site)
    return ((details.currency if details is not None else "") or settings.OSCAR_DEFAULT_CURRENCY).upper()


def prices_include_tax(site=None) -> bool:
    """Whether ``site``'s prices are gross (tax included) rather than net."""
    details = site_settings(site)
    return bool(details and details.prices_include_tax)
