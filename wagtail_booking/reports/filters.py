"""The filter form every report shares: a period preset or custom dates, a service, a provider (and an interval)."""

from datetime import datetime

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from ..bookings.models import Booking
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


class ReportFilterSet(WagtailFilterSet):
    period = django_filters.ChoiceFilter(label=_("Period"), choices=PRESET_CHOICES, empty_label=_("This month"),
                                         method=_no_op)
    dates = django_filters.DateFromToRangeFilter(label=_("Custom dates"), widget=DateRangePickerWidget,
                                                 method=_no_op,
                                                 help_text=_("Used when the period is 'Custom dates'."))
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=Service.objects.order_by("name"),
                                               empty_label=_("All services"), method=_no_op)
    provider = django_filters.ModelChoiceFilter(label=_("Provider"), queryset=Provider.objects.order_by("name"),
                                                empty_label=_("All providers"), method=_no_op)

    class Meta:
        model = Booking  # django-filter wants one; the reports never filter it directly
        fields = []

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
        return Filters(period, service.pk if service else None, provider.pk if provider else None,
                       data.get("interval") or interval)


class RevenueOverTimeFilterSet(ReportFilterSet):
    interval = django_filters.ChoiceFilter(label=_("By"), choices=INTERVAL_CHOICES, empty_label=_("Day"),
                                           method=_no_op)
