"""Money and moments as a person reads them, in the active language: one way, everywhere.

Money goes through babel exactly as Oscar's ``currency`` template filter does (``OSCAR_CURRENCY_FORMAT`` is
honoured), so the payment page, the emails, the admin and the PDFs agree: ``$18.00`` in American English,
``18,00 US$`` in Spanish. Moments are shown in a named zone, never as a bare clock time.
"""

import functools
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.core import get_global
from babel.dates import format_skeleton
from babel.numbers import format_currency, format_percent, get_currency_name, get_currency_precision, list_currencies
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, get_supported_language_variant, override, to_locale

DAY_AND_TIME = "D j M Y, H:i"  # Tue 9 Mar 2027, 14:00
TIME = "H:i"


def babel_locale(language=None) -> str:
    """``en_GB`` for ``en-gb``: the active language (or ``language``) as babel names it."""
    return to_locale(language or get_language() or settings.LANGUAGE_CODE)


def language_code(requested: str | None = None) -> str:
    """The site's language (``settings.LANGUAGES``) for ``requested``, else for the active language: what a booking
    stores so that its later emails and texts speak the client's language. ``es-mx`` gives ``es``; a language the
    site does not offer gives ``LookupError``."""
    return get_supported_language_variant(requested or get_language() or settings.LANGUAGE_CODE)


def speaking(language: str | None):
    """``translation.override`` for a stored language (a booking's): what a message written without a request, in
    a Huey task, is rendered under. "" (rows made before languages were stored) is the site's ``LANGUAGE_CODE``."""
    return override(language or settings.LANGUAGE_CODE)


def money(amount, currency=None, language=None) -> str:
    """``amount`` of ``currency`` (the shop's default when not given) in the active language; "" for no amount."""
    currency = currency or getattr(settings, "OSCAR_DEFAULT_CURRENCY", "USD")
    try:
        amount = Decimal(amount)
    except (TypeError, InvalidOperation):
        return ""
    kwargs = {"currency": currency, "locale": babel_locale(language)}
    configured = getattr(settings, "OSCAR_CURRENCY_FORMAT", None)
    if isinstance(configured, dict):
        kwargs.update(configured.get(currency, {}))
    elif configured:
        kwargs["format"] = configured
    return format_currency(amount, **kwargs)


def currency_choices() -> list[tuple[str, str]]:
    """Current ISO 4217 codes with their names in the active language ("CAD — Canadian Dollar"), sorted by code:
    the choices of every currency field. Evaluated when a form is built, so the names follow the admin's language."""
    locale = babel_locale()
    return [(code, f"{code} \u2014 {get_currency_name(code, locale=locale)}") for code in current_currencies()]


@functools.cache
def current_currencies() -> list[str]:
    """The codes some territory pays in now, by CLDR (legal tender with no end date): ISO 4217 also lists codes
    long gone (FRF, HRK), funds (CHE, CLF) and metals, which no price should be in."""
    in_use = {code for currencies in get_global("territory_currencies").values()
              for code, _start, end, tender in currencies if end is None and tender}
    return sorted(code for code in in_use & set(list_currencies()) if len(code) == 3 and code.isalpha())


def currency_digits(currency: str) -> int:
    """How many decimals an amount of ``currency`` has as people pay it (CLDR): 2 for CAD, 0 for JPY."""
    return get_currency_precision(currency.upper())


def in_zone(moment: datetime, zone_name: str | None) -> datetime:
    """``moment`` on the wall clock of ``zone_name`` (the server's zone when not given)."""
    return moment.astimezone(ZoneInfo(zone_name)) if zone_name else timezone.localtime(moment)


def when(moment: datetime | None, zone_name: str | None, fmt: str = DAY_AND_TIME, named: bool = True) -> str:
    """``Tue 9 Mar 2027, 14:00 (America/New_York)``; "" when there is no moment."""
    if moment is None:
        return ""
    local = in_zone(moment, zone_name)
    text = date_format(local, fmt)
    return f"{text} ({zone_name or timezone.get_current_timezone_name()})" if named else text


def span(start: datetime, end: datetime, zone_name: str | None) -> str:
    """``Wed 10 Mar 2027, 13:30–14:30 (America/New_York)``: an appointment, the zone named once at the end (the end
    written with its day when it falls on another one)."""
    same_day = in_zone(start, zone_name).date() == in_zone(end, zone_name).date()
    finish = when(end, zone_name, TIME if same_day else DAY_AND_TIME, named=False)
    return f"{when(start, zone_name, named=False)}–{finish} ({zone_name or timezone.get_current_timezone_name()})"


def iso_local(moment: datetime | None, zone_name: str | None) -> str:
    """``2027-03-09T14:00:00-05:00``: ISO 8601 on the zone's wall clock with its offset, whole seconds."""
    if moment is None:
        return ""
    return in_zone(moment, zone_name).replace(microsecond=0).isoformat()


def percent(value, language=None) -> str:
    """``40.0%`` (``40,0 %`` in French) for ``value`` given in percent, to one decimal place; "" for no value."""
    try:
        fraction = Decimal(value) / 100
    except (TypeError, InvalidOperation):
        return ""
    return format_percent(fraction, format="#,##0.0%", locale=babel_locale(language))


def short_date(day, skeleton="MMMd", language=None) -> str:
    """A date as the active language writes it briefly: ``Mar 10`` (en), ``10 mars`` (fr); ``yMMM``: ``Mar 2027``."""
    return format_skeleton(skeleton, day, locale=babel_locale(language))
