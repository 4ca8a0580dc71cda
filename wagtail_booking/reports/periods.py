"""Report periods: local dates in the site's time zone, and the absolute ``[start, end)`` they cover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

PRESETS = ("this_month", "last_month", "this_year", "custom")
INTERVALS = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    """Local dates ``first``..``last`` inclusive in ``zone``."""

    first: date
    last: date
    zone: str

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=ZoneInfo(self.zone))

    @property
    def end(self) -> datetime:
        # Midnight after the last day, built from the date so a DST change inside the period changes nothing.
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=ZoneInfo(self.zone))

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def __str__(self):
        return f"{self.first:%d %b %Y} – {self.last:%d %b %Y}"


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def resolve(preset: str | None, first: date | None = None, last: date | None = None, today: date | None = None,
            zone: str | None = None) -> Period:
    """The period a preset (or a custom range) means today in the site's zone. Unknown presets: this month."""
    zone = zone or timezone.get_current_timezone_name()
    today = today or datetime.now(ZoneInfo(zone)).date()
    if preset == "custom" or (preset in (None, "") and (first or last)):
        first = first or (last or today).replace(day=1)
        last = last or today
        return Period(min(first, last), max(first, last), zone)
    if preset == "last_month":
        return Period(*month_of(today.replace(day=1) - timedelta(days=1)), zone)
    if preset == "this_year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), zone)
    return Period(*month_of(today), zone)


def buckets(period: Period, interval: str) -> list[date]:
    """The local start date of every day, week (Monday) or month that touches the period, in order."""
    if interval == "month":
        day, result = period.first.replace(day=1), []
        while day <= period.last:
            result.append(day)
            day = month_of(day)[1] + timedelta(days=1)
        return result
    step = timedelta(days=7 if interval == "week" else 1)
    day = period.first - timedelta(days=period.first.weekday()) if interval == "week" else period.first
    result = []
    while day <= period.last:
        result.append(day)
        day += step
    return result
