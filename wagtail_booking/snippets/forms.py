"""Admin forms for snippets whose editing needs more than the model gives."""

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from ..timezones import TimeZoneField
from .hours import HoursGrid
from .prices import check_other_prices


class WeeklyHoursFormMixin:
    """Weekly hours edited as week grids (see :mod:`.hours`), stored as ``WeeklyHours`` rows when the form saves:
    for providers and for rooms and equipment alike."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rows = self.instance.weekly_hours.all() if self.instance.pk else []
        self.hours = HoursGrid(rows, self.data if self.is_bound else None)

    def clean(self):
        data = super().clean()
        for problem in self.hours.problems:
            self.add_error(None, problem)
        return data

    def save(self, commit=True):
        if self.hours.is_bound:
            weekly = apps.get_model("wagtail_booking", "WeeklyHours")
            # Replaces the rows when the owner is saved (modelcluster commits the child relation with it).
            self.instance.weekly_hours = [weekly(sort_order=order, **row)
                                          for order, row in enumerate(self.hours.rows())]
        return super().save(commit=commit)


class ProviderForm(WeeklyHoursFormMixin, WagtailAdminModelForm):
    """A provider's page: its zone from a list, the services it offers as checkboxes, and its weekly hours as
    week grids (see :mod:`.hours`), stored as ``WeeklyHours`` rows when the form saves."""

    timezone = TimeZoneField(label=_("Time zone"),
                             help_text=_("Where the provider works: the weekly hours below are in this zone."))
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


class ResourceForm(WeeklyHoursFormMixin, WagtailAdminModelForm):
    """A room's or a piece of equipment's page: its zone from a list and its weekly hours as week grids, like a
    provider's (:class:`ProviderForm`), without services, notifications or a meeting link."""

    timezone = TimeZoneField(label=_("Time zone"),
                             help_text=_("Where the resource is: the weekly hours below are in this zone."))


class ResourcePoolForm(WagtailAdminModelForm):
    """A pool's members as checkboxes: the business's rooms and equipment (see ``BusinessFormMixin``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = self.fields.get("resources")
        if members is not None:
            members.queryset = members.queryset.filter(kind="resource")
            members.widget = forms.CheckboxSelectMultiple(choices=members.choices)
            members.help_text = _("Interchangeable rooms or equipment: a booking takes any one that is free.")


class ServiceForm(WagtailAdminModelForm):
    """A service's providers as checkboxes (the business's providers only, see ``BusinessFormMixin``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        providers = self.fields.get("providers")
        if providers is not None:
            providers.queryset = providers.queryset.filter(kind="staff")  # rooms are chosen through a pool
            providers.widget = forms.CheckboxSelectMultiple(choices=providers.choices)
            providers.help_text = _("Who offers this service. Only the active ones are offered to clients.")
        pool = self.fields.get("resource_pool")
        if pool is not None:  # a plain list of the business's pools (see BusinessFormMixin), not a chooser
            pool.widget = forms.Select(choices=pool.choices)

    def clean(self):
        data = super().clean()
        formset = getattr(self, "formsets", {}).get("other_prices")
        if formset is not None and formset.is_valid():
            rows = [form.instance for form in formset.forms
                    if form.cleaned_data and not form.cleaned_data.get("DELETE")]
            site = data.get("site") or self.instance.site
            kind = data.get("deposit_kind", self.instance.deposit_kind)
            for problem in check_other_prices(site, kind, rows):
                self.add_error(None, problem)
        return data


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
