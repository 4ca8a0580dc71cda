"""Admin forms for snippets whose editing needs more than the model gives."""

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class ProviderForm(WagtailAdminModelForm):
    """Lets the services a provider offers be chosen from the provider's page too."""

    services = forms.ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
                                              label=_("Services"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = apps.get_model("wagtail_booking", "Service").objects.all()
        if self.instance.pk:
            self.initial.setdefault("services", list(self.instance.services.all()))

    def save(self, commit=True):
        provider = super().save(commit=commit)
        if commit:
            provider.services.set(self.cleaned_data["services"])
        return provider


class BusyBlockForm(WagtailAdminModelForm):
    """Synced busy blocks are shown read-only: the external calendar owns them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_synced:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        if self.instance.pk and self.instance.is_synced:
            raise forms.ValidationError(
                _("This block is %(source)s and cannot be edited here; change it in that calendar."),
                params={"source": self.instance.get_source_display().lower()},
            )
        return super().clean()
