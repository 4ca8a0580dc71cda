"""Available minutes come from weekly hours, overrides and time off, in the provider's zone, across DST."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from wagtail_booking.reports.periods import Period
from wagtail_booking.reports.revenue import Filters
from wagtail_booking.reports.utilisation import utilisation
from wagtail_booking.snippets.models import DateOverride, TimeOff

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def test_week_with_spring_forward():
    provider = ProviderFactory(name="Maya")  # Mon-Fri 09:00-17:00 New York
    london = ProviderFactory(name="Lee", timezone="Europe/London")
    service = ServiceFactory(providers=[provider, london], duration_minutes=60)
    # Week of Mon 8 March 2027 (New York springs forward on Sunday 14 March): five 8-hour days.
    DateOverride.objects.create(provider=provider, date=date(2027, 3, 10), opens=time(9), closes=time(12))
    TimeOff.objects.create(provider=provider, starts_at=datetime(2027, 3, 11, 13, tzinfo=NY),
                           ends_at=datetime(2027, 3, 11, 15, tzinfo=NY))
    for day, status in ((8, "confirmed"), (9, "completed"), (12, "cancelled")):
        BookingFactory(service=service, provider=provider, start=datetime(2027, 3, day, 10, tzinfo=NY), status=status)
    rows = {row.provider: row for row in utilisation(Filters(Period(date(2027, 3, 8), date(2027, 3, 14),
                                                                   "America/New_York")))}
    assert rows["Maya"].available_minutes == 4 * 480 + 180 - 120
    assert rows["Maya"].booked_minutes == 120  # the cancelled booking frees its time
    assert rows["Maya"].utilisation == Decimal("6.1")  # 120 of 1,980 minutes
    # London's 09:00-17:00 falls inside the New York dates whatever the offset: five full days.
    assert rows["Lee"].available_minutes == 5 * 480
    assert timedelta(minutes=rows["Lee"].available_minutes) == timedelta(hours=40)
