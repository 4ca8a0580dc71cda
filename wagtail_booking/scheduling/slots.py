"""The slot engine: which start times can a client book?

Rules are wall-clock times in the provider's zone; everything after :func:`availability_windows` happens in UTC,
so stepping by the slot interval is stepping through real time and a window that spans a DST change has its true
length. Each day's window is anchored at its local opening time, so 09:00 stays 09:00 on both sides of a change.

A local time that does not exist (inside a spring-forward gap) is moved forward by the length of the gap, the
behaviour of ``zoneinfo`` with ``fold=0``; an ambiguous time (fall-back) means its first occurrence.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .types import Interval, ProviderSchedule, ServiceRules, Slot

ONE_DAY = timedelta(days=1)


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local date (see the module docstring for gaps and overlaps)."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def availability_windows(schedule: ProviderSchedule, first_day: date, last_day: date) -> list[Interval]:
    """The provider's open hours on each local date from ``first_day`` to ``last_day`` inclusive, in UTC."""
    zone = ZoneInfo(schedule.timezone)
    overrides = {override.day: override.hours for override in schedule.overrides}
    windows: list[Interval] = []
    day = first_day
    while day <= last_day:
        if day in overrides:
            hours = overrides[day]
        else:
            hours = tuple((rule.start, rule.end) for rule in schedule.weekly if rule.applies_on(day))
        instants = ((local_instant(day, s, zone), local_instant(day, e, zone)) for s, e in hours if e > s)
        # A shift lying inside a spring-forward gap (01:01-02:00 in London on the last Sunday of March) names no
        # real time: its start maps past its end, and it opens nothing.
        windows.extend(merge_intervals(Interval(start, end) for start, end in instants if end > start))
        day += ONE_DAY
    return windows


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of ``intervals`` (touching spans are joined)."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


class BusyIndex:
    """Answers "does this span touch busy time?" in O(log n) over merged busy intervals."""

    def __init__(self, busy: Iterable[Interval]):
        self._merged = merge_intervals(busy)
        self._ends = [interval.end for interval in self._merged]

    def overlaps(self, span: Interval) -> bool:
        return self.overlaps_range(span.start, span.end)

    def overlaps_range(self, start: datetime, end: datetime) -> bool:
        index = bisect_right(self._ends, start)
        return index < len(self._merged) and self._merged[index].start < end


def provider_slots(
    schedule: ProviderSchedule, rules: ServiceRules, start: datetime, end: datetime, now: datetime
) -> Iterator[Slot]:
    """Free starts for one provider in the absolute range ``[start, end)``."""
    zone = ZoneInfo(schedule.timezone)
    earliest = max(start, now + rules.min_notice)
    latest = min(end - timedelta(microseconds=1), now + rules.horizon)
    if earliest > latest:
        return
    busy = BusyIndex(schedule.busy)
    first_day = earliest.astimezone(zone).date() - ONE_DAY
    last_day = latest.astimezone(zone).date()
    duration, step = rules.duration, rules.interval
    before, after = rules.buffer_before, rules.duration + rules.buffer_after
    for window in availability_windows(schedule, first_day, last_day):
        moment = window.start
        while moment + duration <= window.end and moment <= latest:
            # Same test as busy.overlaps(rules.blocked(moment)), without building an Interval per candidate.
            if moment >= earliest and not busy.overlaps_range(moment - before, moment + after):
                yield Slot(moment, moment + duration, schedule.provider_id)
            moment += step


def compute_slots(
    schedules: Iterable[ProviderSchedule],
    rules: ServiceRules,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Slot]:
    """Ordered, unique available starts in ``[start, end)`` for one or several providers.

    With several providers ("any available provider") each start is offered once, by the first provider in
    ``schedules`` that is free then, so callers decide the preference by the order they pass.
    """
    for moment in (start, end, now):
        if moment.tzinfo is None:
            raise ValueError("compute_slots needs timezone-aware datetimes")
    start, end, now = start.astimezone(UTC), end.astimezone(UTC), now.astimezone(UTC)
    by_start: dict[datetime, Slot] = {}
    for schedule in schedules:
        for slot in provider_slots(schedule, rules, start, end, now):
            by_start.setdefault(slot.start, slot)
    return sorted(by_start.values())


def nearest_slots(slots: Iterable[Slot], target: datetime, count: int = 3) -> list[Slot]:
    """The ``count`` slots closest in time to ``target``, in time order (alternatives for a lost race)."""
    closest = sorted(slots, key=lambda slot: (abs(slot.start - target), slot.start))[:count]
    return sorted(closest)
