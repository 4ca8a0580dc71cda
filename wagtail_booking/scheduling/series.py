"""The dates of a recurring series: the same wall-clock time every N weeks in the provider's zone.

Each occurrence is computed from its local date and the series' local time (never by adding weeks to an instant),
so 10:00 stays 10:00 across a daylight-saving change and moves by an hour in UTC terms. A local time inside a
spring-forward gap is moved forward as the slot engine moves it (:func:`slots.local_instant`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .slots import local_instant


@dataclass(frozen=True)
class SeriesRule:
    """Every ``every_weeks`` weeks from ``first_day`` at ``wall_time`` in ``zone``; ``count`` occurrences, or as
    many as fall on or before ``until`` (both may be given: the first limit reached wins). ``cap`` bounds either."""

    first_day: date
    wall_time: time
    zone: str
    every_weeks: int = 1
    count: int | None = None
    until: date | None = None
    cap: int = 12

    def __post_init__(self):
        if self.every_weeks < 1:
            raise ValueError("A series repeats every one week or more")
        if self.count is None and self.until is None:
            raise ValueError("A series needs a number of occurrences or an end date")
        if self.count is not None and self.count < 1:
            raise ValueError("A series has at least one occurrence")
        if self.until is not None and self.until < self.first_day:
            raise ValueError("A series cannot end before its first date")

    @classmethod
    def starting_at(cls, first_start: datetime, zone: str, **kwargs) -> SeriesRule:
        """The rule whose first occurrence is the instant ``first_start`` (its local date and time in ``zone``)."""
        local = first_start.astimezone(ZoneInfo(zone))
        return cls(first_day=local.date(), wall_time=local.time().replace(tzinfo=None), zone=zone, **kwargs)


def occurrence_days(rule: SeriesRule) -> list[date]:
    """The local dates of the series, in order: at most ``cap``."""
    limit = min(rule.count if rule.count is not None else rule.cap, rule.cap)
    days, day = [], rule.first_day
    while len(days) < limit and (rule.until is None or day <= rule.until):
        days.append(day)
        day += timedelta(weeks=rule.every_weeks)
    return days


def occurrence_starts(rule: SeriesRule) -> list[datetime]:
    """The UTC start of each occurrence: ``wall_time`` on each local date (see the module docstring for gaps)."""
    zone = ZoneInfo(rule.zone)
    return [local_instant(day, rule.wall_time, zone) for day in occurrence_days(rule)]


def is_capped(rule: SeriesRule) -> bool:
    """Whether the rule asks for more occurrences than ``cap`` allows (the plan then stops at the cap)."""
    return len(occurrence_days(replace(rule, cap=rule.cap + 1))) > rule.cap
