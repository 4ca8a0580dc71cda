"""Booked minutes against available minutes per provider.

Available time is the provider's working hours (weekly rules and date overrides, in the provider's own zone, via
the slot engine's :func:`availability_windows`) inside the period, less time off. Booked time is the length of the
provider's counted bookings (see :mod:`.activity`) that start in the period, buffers excluded. Rules, overrides and
time off are loaded in three queries; booked minutes are summed in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby

from django.db.models import F, Sum

from ..formats import percent
from ..scheduling import DateOverride, Interval, ProviderSchedule, WeeklyRule
from ..scheduling.slots import availability_windows, merge_intervals
from ..snippets.models import DateOverride as DateOverrideRow
from ..snippets.models import Provider, TimeOff
from .activity import bookings, rate
from .revenue import Filters

COUNTED_FOR_TIME = ("confirmed", "completed", "no_show")


@dataclass
class UtilisationRow:
    provider: str
    available_minutes: int
    booked_minutes: int

    @property
    def utilisation(self):
        return rate(self.booked_minutes, self.available_minutes)

    @property
    def utilisation_percent(self) -> str:
        return percent(self.utilisation)


def utilisation(filters: Filters) -> list[UtilisationRow]:
    providers = filters.for_sites(Provider.objects.order_by("name", "pk"))
    if filters.provider_id:
        providers = providers.filter(pk=filters.provider_id)
    if filters.service_id:
        providers = providers.filter(services=filters.service_id)
    rows = list(providers.values_list("pk", "name", "timezone", "weekly_hours__weekday", "weekly_hours__opens",
                                      "weekly_hours__closes", "weekly_hours__effective_from",
                                      "weekly_hours__effective_to"))
    names = {pk: (name, zone) for pk, name, zone, *_ in rows}
    booked = dict(bookings(filters).filter(status__in=COUNTED_FOR_TIME, provider_id__in=list(names))
                  .values("provider_id").annotate(length=Sum(F("end") - F("start")))
                  .values_list("provider_id", "length").order_by())
    available = available_minutes(filters, names, rows)
    return [UtilisationRow(name, available.get(pk, 0), int((booked.get(pk) or timedelta(0)).total_seconds() // 60))
            for pk, (name, _zone) in names.items()]


def available_minutes(filters: Filters, names: dict, rows: list) -> dict[int, int]:
    period = filters.period
    weekly = {pk: tuple(WeeklyRule(*row[3:]) for row in group if row[3] is not None)
              for pk, group in groupby(rows, lambda row: row[0])}
    margin = timedelta(days=1)
    override_rows = (DateOverrideRow.objects.filter(provider_id__in=list(names),
                                                    date__range=(period.first - margin, period.last + margin))
                     .order_by("provider_id", "date").values_list("provider_id", "date", "closed", "opens", "closes"))
    overrides = {}
    for (pk, day), group in groupby(override_rows, lambda row: row[:2]):
        group = list(group)
        hours = () if any(row[2] for row in group) else tuple((row[3], row[4]) for row in group)
        overrides.setdefault(pk, []).append(DateOverride(day, hours))
    time_off = {}
    for pk, starts, ends in (TimeOff.objects.filter(provider_id__in=list(names), starts_at__lt=period.end,
                                                    ends_at__gt=period.start)
                             .values_list("provider_id", "starts_at", "ends_at")):
        time_off.setdefault(pk, []).append(Interval(starts, ends))
    result = {}
    for pk, (_name, zone) in names.items():
        schedule = ProviderSchedule(pk, zone, weekly.get(pk, ()), tuple(overrides.get(pk, ())))
        # The provider's local dates can straddle the site's: take a day either side, then clip to the period.
        windows = availability_windows(schedule, period.first - margin, period.last + margin)
        total = timedelta(0)
        for window in windows:
            start, end = max(window.start, period.start), min(window.end, period.end)
            if start < end:
                total += (end - start) - _overlap(Interval(start, end), time_off.get(pk, ()))
        result[pk] = int(total.total_seconds() // 60)
    return result


def _overlap(window: Interval, busy) -> timedelta:
    total = timedelta(0)
    for interval in merge_intervals(busy):
        start, end = max(window.start, interval.start), min(window.end, interval.end)
        if start < end:
            total += end - start
    return total
