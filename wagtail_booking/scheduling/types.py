"""Value types of the scheduling core. All datetimes are timezone-aware; wall-clock rules are naive times
that belong to the provider's IANA zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of absolute time ``[start, end)``."""

    start: datetime
    end: datetime

    def __post_init__(self):
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Interval needs timezone-aware datetimes")
        if self.end < self.start:
            raise ValueError(f"Interval ends ({self.end}) before it starts ({self.start})")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class WeeklyRule:
    """Working hours on one weekday (0 = Monday), valid between two optional dates (inclusive)."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_to: date | None = None

    def applies_on(self, day: date) -> bool:
        if day.weekday() != self.weekday:
            return False
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_to and day > self.valid_to)


@dataclass(frozen=True)
class DateOverride:
    """Replaces the weekly rules on one local date. No hours means closed that day."""

    day: date
    hours: tuple[tuple[time, time], ...] = ()


@dataclass(frozen=True)
class ProviderSchedule:
    """Everything the engine needs to know about one provider."""

    provider_id: int
    timezone: str
    weekly: tuple[WeeklyRule, ...] = ()
    overrides: tuple[DateOverride, ...] = ()
    busy: tuple[Interval, ...] = field(default=())


@dataclass(frozen=True)
class ServiceRules:
    """The parts of a service that shape its slots."""

    duration: timedelta
    interval: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    min_notice: timedelta = timedelta(0)
    horizon: timedelta = timedelta(days=365)

    def __post_init__(self):
        if self.duration <= timedelta(0):
            raise ValueError("A service needs a positive duration")
        if self.interval <= timedelta(0):
            raise ValueError("A service needs a positive slot interval")
        if min(self.buffer_before, self.buffer_after, self.min_notice) < timedelta(0):
            raise ValueError("Buffers and notice cannot be negative")

    def blocked(self, start: datetime) -> Interval:
        """The span a booking starting at ``start`` keeps the provider busy, buffers included."""
        return Interval(start - self.buffer_before, start + self.duration + self.buffer_after)


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    end: datetime
    provider_id: int
    resource_id: int | None = None  # the pool member the booking would take (scheduling.resources)
    # Classes only (scheduling.seats): the seats still free at this start, of ``capacity``; None for one-to-one.
    seats_left: int | None = field(default=None, compare=False)
    capacity: int | None = field(default=None, compare=False)
