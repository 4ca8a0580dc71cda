"""The filter form every report shares: a period preset or custom dates, a business (for people working in
several), a service, a provider (and an interval). Only the user's businesses are offered and counted."""

from datetime import datetime

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from ..bookings.models import Booking
from ..businesses import has_several_businesses, sites_for_user, user_site_ids, visible_to
from ..snippets.models import Provider, Service
from . import periods
from .revenue import Filters

PRESET_CHOICES = [("this_month", _("This month")), ("last_month", _("Last month")), ("this_year", _("This year")),
                  ("custom", _("Custom dates"))]
INTERVAL_CHOICES = [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]


def _day(value):
    """django-filter's date range gives datetimes (00:00 and 23:59:59.999999); a Period is made of dates."""
    return value.date() if isinstance(value, datetime) else value


def _no_op(queryset, name, value):
    return queryset  # the report functions read the cleaned values; nothing filters a queryset directly


def _sites(request):
    return sites_for_user(getattr(request, "user", None)).order_by("site_name", "hostname")


def _services(request):
    return visible_to(Service.objects.order_by("name"), getattr(request, "user", None))


def _providers(request):
    return visible_to(Provider.objects.order_by("name"), getattr(request, "user", None))


class ReportFilterSet(WagtailFilterSet):
    period = django_filters.ChoiceFilter(label=_("Period"), choices=PRESET_CHOICES, empty_label=_("This month"),
                                         method=_no_op)
    dates = django_filters.DateFromToRangeFilter(label=_("Custom dates"), widget=DateRangePickerWidget,
                                                 method=_no_op,
                                                 help_text=_("Used when the period is 'Custom dates'."))
    site = django_filters.ModelChoiceFilter(label=_("Business"), queryset=_sites, empty_label=_("All businesses"),
                                            method=_no_op)
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=_services,
                                               empty_label=_("All services"), method=_no_op)
    provider = django_filters.ModelChoiceFilter(label=_("Provider"), queryset=_providers,
                                                empty_label=_("All providers"), method=_no_op)

    class Meta:
        model = Booking  # django-filter wants one; the reports never filter it directly
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if not has_several_businesses(getattr(request, "user", None)):
            self.filters.pop("site")

    def report_filters(self, interval="month") -> Filters:
        """What the form asks for; an invalid form means this month, everything."""
        data = self.form.cleaned_data if self.is_valid() else {}
        dates = data.get("dates")
        preset = data.get("period") or ""
        if dates and (dates.start or dates.stop) and preset in ("", "custom"):
            period = periods.resolve("custom", _day(dates.start), _day(dates.stop))
        else:
            period = periods.resolve(preset or "this_month")
        service, provider = data.get("service"), data.get("provider")
        sites = frozenset(user_site_ids(getattr(self.request, "user", None)))
        if data.get("site"):
            sites &= {data["site"].pk}
        return Filters(period, service.pk if service else None, provider.pk if provider else None,
                       data.get("interval") or interval, sites=sites)


class RevenueOverTimeFilterSet(ReportFilterSet):
    interval = django_filters.ChoiceFilter(label=_("By"), choices=INTERVAL_CHOICES, empty_label=_("Day"),
                                           method=_no_op)
