"""The weekly hours of a provider edited as week grids: one grid (Monday to Sunday, several shifts a day) per set of
hours, each set valid between two optional dates, so next month's hours can be entered ahead.

The grid is plain inputs named ``hours-<set>-from``, ``hours-<set>-until`` and
``hours-<set>-d<weekday>-<n>-opens`` / ``-closes`` (and ``-remove``): it works without JavaScript, where every day
offers one empty shift to fill in; ``hours_grid.js`` adds and removes shifts in place. The sets are stored as
``WeeklyHours`` rows, which the slot engine reads with their dates (``WeeklyRule.applies_on``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from itertools import groupby

from django import forms
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PREFIX = "hours"
SHIFT_KEY = re.compile(rf"^{PREFIX}-(\d+)-d([0-6])-(\d+)-(opens|closes)$")
SET_KEY = re.compile(rf"^{PREFIX}-(\d+)-present$")
TIME_FIELD = forms.TimeField()
DATE_FIELD = forms.DateField()


class Weekday(models.IntegerChoices):
    MONDAY = 0, gettext_lazy("Monday")
    TUESDAY = 1, gettext_lazy("Tuesday")
    WEDNESDAY = 2, gettext_lazy("Wednesday")
    THURSDAY = 3, gettext_lazy("Thursday")
    FRIDAY = 4, gettext_lazy("Friday")
    SATURDAY = 5, gettext_lazy("Saturday")
    SUNDAY = 6, gettext_lazy("Sunday")


def weekday_names():
    return [str(label) for _value, label in Weekday.choices]


@dataclass
class Shift:
    """One working interval as typed (``opens_text``/``closes_text``) and as understood (``opens``/``closes``)."""

    number: int
    opens_text: str = ""
    closes_text: str = ""
    opens: time | None = None
    closes: time | None = None

    @property
    def label(self) -> str:
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"


@dataclass
class HoursSet:
    """A week of shifts valid from ``valid_from`` to ``valid_to`` (inclusive; None: open-ended)."""

    index: int
    from_text: str = ""
    until_text: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    days: list[list[Shift]] = field(default_factory=lambda: [[] for _day in range(7)])
    errors: list[str] = field(default_factory=list)
    day_errors: dict[int, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any(self.days) and not (self.from_text or self.until_text)

    @property
    def name(self) -> str:
        """How errors name this set: "the hours from 1 Apr 2027", or "the hours" when it has no dates."""
        if self.valid_from and self.valid_to:
            return _("the hours from %(first)s until %(last)s") % {"first": _day(self.valid_from),
                                                                   "last": _day(self.valid_to)}
        if self.valid_from:
            return _("the hours from %(first)s") % {"first": _day(self.valid_from)}
        if self.valid_to:
            return _("the hours until %(last)s") % {"last": _day(self.valid_to)}
        return _("the hours without dates")

    def covers(self, other: HoursSet) -> bool:
        """Whether the two sets' date ranges share a day."""
        return (self.valid_from or date.min) <= (other.valid_to or date.max) \
            and (other.valid_from or date.min) <= (self.valid_to or date.max)

    def rows(self):
        return [{"weekday": day, "opens": shift.opens, "closes": shift.closes, "effective_from": self.valid_from,
                 "effective_to": self.valid_to} for day, shifts in enumerate(self.days) for shift in shifts]


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def sets_from_rows(rows) -> list[HoursSet]:
    """``WeeklyHours`` rows grouped into sets by their dates: open-ended first, then by first day."""
    def dates(row):
        return (row.effective_from or date.min, row.effective_to or date.max)

    result = []
    for index, (_key, group) in enumerate(groupby(sorted(rows, key=lambda r: (dates(r), r.weekday, r.opens)),
                                                  key=dates)):
        group = list(group)
        hours = HoursSet(index, valid_from=group[0].effective_from, valid_to=group[0].effective_to)
        hours.from_text = hours.valid_from.isoformat() if hours.valid_from else ""
        hours.until_text = hours.valid_to.isoformat() if hours.valid_to else ""
        for row in group:
            day = hours.days[row.weekday]
            day.append(Shift(len(day) + 1, f"{row.opens:%H:%M}", f"{row.closes:%H:%M}", row.opens, row.closes))
        result.append(hours)
    return result


def sets_from_data(data) -> list[HoursSet]:
    """The sets as posted, shifts numbered per day in the order they were shown; blank and removed shifts left out."""
    sets = {int(match[1]): HoursSet(int(match[1])) for match in map(SET_KEY.match, data) if match}
    shifts = sorted({(int(m[1]), int(m[2]), int(m[3])) for m in map(SHIFT_KEY.match, data) if m and int(m[1]) in sets})
    for index, hours in sets.items():
        hours.from_text = data.get(f"{PREFIX}-{index}-from", "").strip()
        hours.until_text = data.get(f"{PREFIX}-{index}-until", "").strip()
        if data.get(f"{PREFIX}-{index}-remove"):
            hours.days = [[] for _day in range(7)]
            hours.from_text = hours.until_text = ""
    for index, weekday, number in shifts:
        if data.get(f"{PREFIX}-{index}-remove"):
            continue
        key = f"{PREFIX}-{index}-d{weekday}-{number}"
        opens, closes = data.get(f"{key}-opens", "").strip(), data.get(f"{key}-closes", "").strip()
        if data.get(f"{key}-remove") or not (opens or closes):
            continue
        day = sets[index].days[weekday]
        day.append(Shift(len(day) + 1, opens, closes))
    return [sets[index] for index in sorted(sets)]


def validate(sets: list[HoursSet]) -> list[str]:
    """Parse and check every set in place; every problem names the set, the day and the shift. Returns them all."""
    names = weekday_names()
    problems = []
    for hours in sets:
        _parse_dates(hours)
        for weekday, shifts in enumerate(hours.days):
            day_problems = _check_day(shifts, names[weekday])
            if day_problems:
                hours.day_errors[weekday] = day_problems
        if hours.valid_from is None and hours.valid_to is None and (hours.from_text or hours.until_text):
            pass  # a date that did not parse is already an error
        elif not any(hours.days) and (hours.valid_from or hours.valid_to):
            hours.errors.append(_("Add at least one shift to %(hours)s, or clear its dates.") % {"hours": hours.name})
    kept = [hours for hours in sets if any(hours.days)]
    for position, hours in enumerate(kept):
        for earlier in kept[:position]:
            if hours.covers(earlier) and not hours.errors and not earlier.errors:
                hours.errors.append(_("The dates of %(hours)s overlap those of %(other)s: give each set of hours "
                                      "its own dates (end one the day before the next begins).")
                                    % {"hours": hours.name, "other": earlier.name})
    for hours in sets:
        problems += [_capitalised(error) for error in hours.errors]
        problems += [error for weekday in sorted(hours.day_errors) for error in hours.day_errors[weekday]]
    return problems


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _parse_dates(hours: HoursSet):
    for attribute, text, label in (("valid_from", hours.from_text, _("From")),
                                   ("valid_to", hours.until_text, _("Until"))):
        if not text:
            continue
        try:
            setattr(hours, attribute, DATE_FIELD.clean(text))
        except forms.ValidationError:
            hours.errors.append(_("%(label)s: “%(text)s” is not a date.") % {"label": label, "text": text})
    if hours.valid_from and hours.valid_to and hours.valid_to < hours.valid_from:
        hours.errors.append(_("%(hours)s: the last day comes before the first.") % {"hours": hours.name})


def _check_day(shifts: list[Shift], day_name: str) -> list[str]:
    problems = []
    for shift in shifts:
        where = _("%(day)s, shift %(number)s") % {"day": day_name, "number": shift.number}
        if not (shift.opens_text and shift.closes_text):
            problems.append(_("%(where)s: give both a start and an end.") % {"where": where})
            continue
        try:
            shift.opens, shift.closes = TIME_FIELD.clean(shift.opens_text), TIME_FIELD.clean(shift.closes_text)
        except forms.ValidationError:
            problems.append(_("%(where)s: give times such as 09:00 and 17:30.") % {"where": where})
            continue
        if shift.closes <= shift.opens:
            problems.append(_("%(where)s: it ends (%(closes)s) before it starts (%(opens)s).")
                            % {"where": where, "opens": f"{shift.opens:%H:%M}", "closes": f"{shift.closes:%H:%M}"})
    timed = sorted((shift for shift in shifts if shift.opens and shift.closes and shift.closes > shift.opens),
                   key=lambda shift: shift.opens)
    for first, second in zip(timed, timed[1:], strict=False):
        if second.opens < first.closes:
            problems.append(_("%(day)s: shift %(first)s (%(first_hours)s) and shift %(second)s (%(second_hours)s) "
                              "overlap.") % {"day": day_name, "first": first.number, "first_hours": first.label,
                                              "second": second.number, "second_hours": second.label})
    return problems


class HoursGrid:
    """The grid of a provider form: the sets shown (from the rows, or as posted) and their problems."""

    def __init__(self, rows, data=None):
        # A post without the grid (an older form, a script) leaves the hours as they are.
        self.is_bound = data is not None and any(SET_KEY.match(key) for key in data)
        self.sets = sets_from_data(data) if self.is_bound else sets_from_rows(rows)
        self.problems = validate(self.sets) if self.is_bound else []

    def display_sets(self):
        """The sets to draw: each with a blank shift on every day, then one blank set for hours from a later date."""
        shown = [hours for hours in self.sets if not hours.is_empty or hours.errors] or [HoursSet(0)]
        blank = HoursSet(max(hours.index for hours in shown) + 1)
        names = weekday_names()
        return [{"set": hours, "is_new": hours is blank,
                 "days": [{"weekday": weekday, "name": names[weekday], "shifts": hours.days[weekday],
                           "blank_number": max([shift.number for shift in hours.days[weekday]], default=0) + 1,
                           "errors": hours.day_errors.get(weekday, [])} for weekday in range(7)]}
                for hours in [*shown, blank]]

    def rows(self) -> list[dict]:
        """Field values of the ``WeeklyHours`` rows to store (once the posted grid has no problems)."""
        return [row for hours in self.sets for row in hours.rows()]
