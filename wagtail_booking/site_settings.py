"""Per-site details an editor changes in Settings > Booking."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting

from .notifications.forms import BusinessSettingsForm


class BusinessSettings(BaseSiteSetting):
    base_form_class = BusinessSettingsForm

    business_name = models.CharField(_("business name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    sms_enabled = models.BooleanField(
        _("send text messages"), default=False,
        help_text=_("Needs Twilio credentials in the server settings and a test message that went through."))
    sms_test_passed_at = models.DateTimeField(_("last successful test message"), null=True, blank=True,
                                              editable=False)
    reminder_lead_hours = models.CharField(
        _("reminders (hours before)"), max_length=50, default="24,1",
        help_text=_("Comma-separated, e.g. 24,1 sends a reminder a day and an hour before. Empty: no reminders."))
    default_cancellation_policy = models.ForeignKey(
        "wagtail_booking.CancellationPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("default cancellation policy"), help_text=_("Used by services that name none."))

    class Meta:
        verbose_name = _("booking business details")

    def display_name(self):
        return self.business_name or self.site.site_name or "our business"
