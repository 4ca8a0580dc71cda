"""Site settings form: SMS can only be switched on when it can actually work."""

from django.utils.translation import gettext_lazy as _

from ..site_settings import BusinessSettings
from ..site_settings import BusinessSettingsForm as BaseBusinessSettingsForm
from .sms import get_backend


class BusinessSettingsForm(BaseBusinessSettingsForm):
    def clean(self):
        data = super().clean()
        if data.get("sms_enabled") and not self.instance.sms_enabled:
            problem = get_backend().problem()
            if problem:
                self.add_error("sms_enabled", _("Text messages cannot be switched on: %(problem)s") % {
                    "problem": problem})
            elif not self.instance.sms_test_passed_at:
                self.add_error("sms_enabled", _(
                    "Send a test message first (admin menu: Text messages > Send a test message); text messages "
                    "can be switched on once one went through."))
        return data


def plug_in():
    """Called when the app is ready: the settings model (a lower layer) then uses this form."""
    BusinessSettings.base_form_class = BusinessSettingsForm
