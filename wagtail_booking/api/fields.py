"""Input types of the public API. Each one enforces exactly what it states in the OpenAPI schema (length, pattern,
enum), so a client built from the schema meets no 400 it could not have known about.

Dates and times are limited to a window of whole years around today (stated as a pattern that is rebuilt each
time the schema is served), offsets to the -14:00..+14:00 that real zones use (PostgreSQL refuses ±16:00 and
beyond, although Python accepts them), and text to what its database column holds, without NUL characters.
"""

import calendar
import re
from datetime import date, datetime
from typing import Annotated, Any

from django.conf import settings
from django.utils import timezone
from pydantic import BeforeValidator, Field

from ..timezones import known_zones

YEARS_BEFORE, YEARS_AFTER = 1, 3  # well inside bookings.intake's five years either side
# A row id: positive and within a signed 64-bit integer, so a larger number is the schema's 400, never a database
# error (SQLite cannot bind it).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
OFFSET = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)"
TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
# The same shapes with any year and offset: what tells "badly written" from "out of range" in the messages.
LOOSE_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
LOOSE_DATETIME = rf"{LOOSE_DATE}T{TIME}(Z|[+-][0-9]{{2}}:[0-9]{{2}})"
NO_NUL = r"^[^\u0000]*$"
# One line of text: no control characters (they are never part of a name or an address) and not only spaces.
ONE_LINE = r"^[^\u0000-\u001f\u007f]*$"
NOT_BLANK_ONE_LINE = r"^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$"
EXAMPLE = "2027-03-01T09:00:00-05:00"


def window() -> range:
    """The years a date or time may fall in: from last year to three years ahead."""
    year = timezone.now().year
    return range(year - YEARS_BEFORE, year + YEARS_AFTER + 1)


def date_pattern(years: range) -> str:
    """Real calendar days of ``years`` (29 February only in leap years), as a regular expression."""
    month_day = r"(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31"
    pattern = f"({'|'.join(map(str, years))})-({month_day})"
    leap = [str(year) for year in years if calendar.isleap(year)]
    if leap:
        pattern += f"|({'|'.join(leap)})-02-29"
    return f"({pattern})"


def datetime_pattern(years: range) -> str:
    return f"^{date_pattern(years)}T{TIME}{OFFSET}$"


def _window_text(years):
    return f"{years[0]}-{years[-1]}"


def _text_in(value):
    if not isinstance(value, str):
        raise ValueError("Give this as a string.")
    if any("\ud800" <= character <= "\udfff" for character in value):
        raise ValueError("Text must be valid Unicode.")
    return value


def parse_date(value) -> date:
    _text_in(value)
    years = window()
    if not re.fullmatch(LOOSE_DATE, value):
        raise ValueError("Give a date as YYYY-MM-DD, e.g. 2027-03-01.")
    if int(value[:4]) not in years:
        raise ValueError(f"Give a date in the years {_window_text(years)}.")
    if not re.fullmatch(date_pattern(years), value):
        raise ValueError(f"{value} is not a day of the calendar.")
    return date.fromisoformat(value)


def parse_datetime(value) -> datetime:
    _text_in(value)
    years = window()
    if not re.fullmatch(LOOSE_DATETIME, value):
        raise ValueError(f"Give the time as ISO 8601 with its UTC offset, e.g. {EXAMPLE}.")
    if not re.search(f"{OFFSET}$", value):
        raise ValueError("A UTC offset runs from -14:00 to +14:00.")
    if int(value[:4]) not in years:
        raise ValueError(f"Give a time in the years {_window_text(years)}.")
    if not re.fullmatch(datetime_pattern(years), value):
        raise ValueError(f"{value[:10]} is not a day of the calendar.")
    return datetime.fromisoformat(value)


class _Documented:
    """The JSON schema of a field, built when the schema is served (the date window moves with the year)."""

    def __init__(self, build):
        self.build = build

    def __get_pydantic_json_schema__(self, core_schema, handler) -> dict[str, Any]:
        return self.build()


def _date_schema():
    years = window()
    return {"type": "string", "format": "date", "pattern": f"^{date_pattern(years)}$",
            "description": f"A day (YYYY-MM-DD) in the years {_window_text(years)}."}


def _datetime_schema():
    years = window()
    return {"type": "string", "format": "date-time", "pattern": datetime_pattern(years),
            "description": f"ISO 8601 with a UTC offset from -14:00 to +14:00 (or Z), in the years "
                           f"{_window_text(years)}, e.g. {EXAMPLE}; as returned by the slots endpoint."}


def _check_text(pattern, max_length, min_length=0):
    def check(value):
        _text_in(value)
        if len(value) > max_length:
            raise ValueError(f"Give at most {max_length} characters.")
        if len(value) < min_length:
            raise ValueError(f"Give at least {min_length} character{'s' if min_length > 1 else ''}.")
        if not re.search(pattern, value):
            raise ValueError("Text cannot contain NUL characters." if "\x00" in value else
                             "Give one line of text without control characters, and not only spaces."
                             if pattern == NOT_BLANK_ONE_LINE else "Give one line of text without control characters.")
        return value

    return check


def Text(max_length: int, pattern: str = ONE_LINE, min_length: int = 0, **schema: Any):  # noqa: N802 (a type)
    """A string held to ``max_length`` (its column's) and ``pattern``, both stated in the schema."""
    document = {"type": "string", "maxLength": max_length, "pattern": pattern, **schema}
    if min_length:
        document["minLength"] = min_length
    return Annotated[str, BeforeValidator(_check_text(pattern, max_length, min_length)),
                     _Documented(lambda: dict(document))]


def _zone(value):
    _text_in(value)
    if value not in known_zones():
        raise ValueError(f"{value[:80]!r} is not a known IANA time zone (for example Europe/Paris).")
    return value


def _zone_schema():
    return {"type": "string", "enum": sorted(known_zones()),
            "description": "An IANA time zone name, e.g. Europe/Paris (the enum lists every zone this server knows)."}


WindowDate = Annotated[date, BeforeValidator(parse_date), _Documented(_date_schema)]
WindowDateTime = Annotated[datetime, BeforeValidator(parse_datetime), _Documented(_datetime_schema)]
Zone = Annotated[str, BeforeValidator(_zone), _Documented(_zone_schema)]


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _language(value):
    _text_in(value)
    if value not in _languages():
        raise ValueError(f"{value[:20]!r} is not a language of this site: give one of {', '.join(_languages())}.")
    return value


def _language_schema():
    return {"type": "string", "enum": _languages(),
            "description": "The client's language (one of the site's LANGUAGES): their emails and texts about the "
                           "booking, and the payment page, use it. By default, the language of the request."}


Language = Annotated[str, BeforeValidator(_language), _Documented(_language_schema)]
