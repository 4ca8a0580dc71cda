"""Dates and times used across tests (real "now": bookings are placed weeks ahead)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")


def next_monday(weeks_ahead=2) -> date:
    today = datetime.now(NY).date()
    return today + timedelta(days=(7 - today.weekday()) % 7 + 7 * weeks_ahead)


def ny(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=NY)
