"""The endpoint form: address, description, the business it belongs to, and which events it receives."""

from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from ..conf import booking_settings
from . import addresses
from .events import EVENT_TYPES
from .models import WebhookEndpoint


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(key, f"{key} — {label}") for key, label in EVENT_TYPES.items()],
        help_text=_("Tick none to receive every event, including ones added in later versions."))

    class Meta:
        model = WebhookEndpoint
        fields = ["site", "url", "description", "events"]
        help_texts = {"url": _("Where events are POSTed, e.g. https://example.com/hooks/bookings.")}
        field_classes = {"url": forms.URLField}
        widgets = {"url": forms.URLInput(attrs={"placeholder": "https://"})}

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.site_name or site.hostname
        self.fields["site"].empty_label = None
        self.fields["url"].assume_scheme = "https"

    def clean_url(self):
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if not (parts.scheme == "https" or (parts.scheme == "http" and booking_settings.WEBHOOK_ALLOW_HTTP)):
            raise forms.ValidationError(_("Use an https:// address: events carry your clients' details and must "
                                          "be encrypted on the way."))
        try:
            addresses.check_url(url)
        except addresses.RefusedAddress as error:
            raise forms.ValidationError(str(error)) from error
        return url
