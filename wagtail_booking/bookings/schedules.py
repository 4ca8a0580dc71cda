"""Rows into the scheduling core's ``ProviderSchedule``: shared by providers (``availability``) and by rooms and
equipment (``resources``), which differ only in the rows that make them busy."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from itertools import groupby

from ..scheduling import DateOverride, Interval, ProviderSchedule, WeeklyRule
from ..snippets.models import DateOverride as DateOverrideRow

# Busy rows are loaded this far either side of the range, so buffers at the edges are respected.
MARGIN = timedelta(days=1)


def schedules_of(providers, start: datetime, end: datetime,
                 busy_for: Callable[[list[int]], Iterable[tuple]]) -> list[ProviderSchedule]:
    """Schedules of ``providers`` (a queryset, in its order), in 2 queries plus ``busy_for(ids)``, which returns
    the (id, start, end) rows that keep them busy around ``[start, end)``."""
    # Providers with their weekly hours in one LEFT JOIN: one row per interval, or one row of NULLs.
    rows = providers.values_list("pk", "timezone", "weekly_hours__weekday", "weekly_hours__opens",
                                 "weekly_hours__closes", "weekly_hours__effective_from", "weekly_hours__effective_to")
    zones, weekly = {}, []
    for pk, zone, *rule in rows:
        zones[pk] = zone
        if rule[0] is not None:
            weekly.append((pk, *rule))
    if not zones:
        return []
    ids = list(zones)
    overrides = DateOverrideRow.objects.filter(
        provider_id__in=ids, date__range=(start.date() - MARGIN * 2, end.date() + MARGIN * 2)
    ).order_by("provider_id", "date").values_list("provider_id", "date", "closed", "opens", "closes")
    busy_by: dict[int, list[Interval]] = {}
    for pid, busy_start, busy_end in busy_for(ids):
        busy_by.setdefault(pid, []).append(Interval(busy_start, busy_end))
    weekly_by = {pid: tuple(WeeklyRule(*row[1:]) for row in group) for pid, group in groupby(weekly, _first)}
    overrides_by = {pid: tuple(_override(day, list(day_rows)) for day, day_rows in groupby(group, lambda r: r[1]))
                    for pid, group in groupby(overrides, _first)}
    return [ProviderSchedule(pid, zone, weekly_by.get(pid, ()), overrides_by.get(pid, ()),
                             tuple(busy_by.get(pid, ()))) for pid, zone in zones.items()]


def _first(row):
    return row[0]


def _override(day, rows) -> DateOverride:
    if any(row[2] for row in rows):
        return DateOverride(day, ())
    return DateOverride(day, tuple((row[3], row[4]) for row in rows))
