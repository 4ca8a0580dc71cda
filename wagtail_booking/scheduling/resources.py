"""Slots that need a resource too: a start is offered only when its provider and one member of the pool are free.

A resource (a room, a chair) is scheduled like a provider: weekly hours, date overrides and busy time, in its own
zone. It can take a start when the appointment lies inside its open hours and the blocked span (buffers included)
touches none of its busy time: the same two tests a provider passes (``slots.provider_slots``).

Of the free members the lowest id is taken, so the first room fills first and a booking's room never depends on the
order rows were read in; a booking being moved keeps its own resource (``preferred``) while it is free.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from .slots import ONE_DAY, BusyIndex, availability_windows, compute_slots, merge_intervals
from .types import Interval, ProviderSchedule, ServiceRules, Slot


class OpenIndex:
    """Answers "does one open window hold this whole span?" in O(log n)."""

    def __init__(self, windows: Iterable[Interval]):
        self._merged = merge_intervals(windows)
        self._ends = [window.end for window in self._merged]

    def holds(self, start: datetime, end: datetime) -> bool:
        index = bisect_right(self._ends, start)
        if index < len(self._merged) and self._merged[index].start <= start:
            return end <= self._merged[index].end
        # ``start`` may sit exactly on the end of one window (bisect_right passed it): it is not inside that one.
        return False


class ResourceIndex:
    """The pool's members over a range of time: which of them is free for a given start."""

    def __init__(self, resources: Iterable[ProviderSchedule], rules: ServiceRules, start: datetime, end: datetime):
        self.rules = rules
        self._members = []
        for schedule in sorted(resources, key=lambda schedule: schedule.provider_id):
            zone = ZoneInfo(schedule.timezone)
            first_day = start.astimezone(zone).date() - ONE_DAY
            last_day = end.astimezone(zone).date() + ONE_DAY
            self._members.append((schedule.provider_id,
                                  OpenIndex(availability_windows(schedule, first_day, last_day)),
                                  BusyIndex(schedule.busy)))

    def free_resource(self, start: datetime, preferred: int | None = None, within_hours: bool = True) -> int | None:
        """The member to take for a booking starting at ``start``: ``preferred`` if free, else the lowest free id."""
        rules = self.rules
        # The same tests as rules.blocked(start) and Interval.contains, without building Intervals per candidate.
        ends, blocked_start, blocked_end = start + rules.duration, start - rules.buffer_before, \
            start + rules.duration + rules.buffer_after
        free = [pk for pk, hours, busy in self._members
                if (not within_hours or hours.holds(start, ends))
                and not busy.overlaps_range(blocked_start, blocked_end)]
        if preferred in free:
            return preferred
        return free[0] if free else None


def with_resources(slots: Iterable[Slot], index: ResourceIndex, preferred: int | None = None) -> list[Slot]:
    """The slots for which a member is free, each naming the member it would take."""
    kept = []
    for slot in slots:
        resource_id = index.free_resource(slot.start, preferred)
        if resource_id is not None:
            kept.append(Slot(slot.start, slot.end, slot.provider_id, resource_id))
    return kept


def compute_pooled_slots(schedules: Iterable[ProviderSchedule], resources: Iterable[ProviderSchedule],
                         rules: ServiceRules, start: datetime, end: datetime, now: datetime,
                         preferred: int | None = None) -> list[Slot]:
    """:func:`~.slots.compute_slots` for a service that needs a provider and one member of a pool."""
    slots = compute_slots(schedules, rules, start, end, now)
    return with_resources(slots, ResourceIndex(resources, rules, start.astimezone(UTC), end.astimezone(UTC)),
                          preferred)
