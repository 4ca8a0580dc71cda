"""Site settings form: SMS can only be switched on when it can actually work."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class BusinessSettingsForm(WagtailAdminModelForm):
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

    def clean(self):
        data = super().clean()
        if data.get("sms_enabled") and not self.instance.sms_enabled:
            from .sms import get_backend

            problem = get_backend().problem()
            if problem:
                self.add_error("sms_enabled", _("Text messages cannot be switched on: %(problem)s") % {
                    "problem": problem})
            elif not self.instance.sms_test_passed_at:
                self.add_error("sms_enabled", _(
                    "Send a test message first (admin menu: Text messages > Send a test message); text messages "
                    "can be switched on once one went through."))
        return data
