"""A series booked at once is confirmed in one email: the first date's, listing every date with its own link and
carrying every appointment in its calendar file."""

from datetime import date

import pytest
from django.core import mail
from icalendar import Calendar

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import series, services
from wagtail_booking.bookings.tokens import manage_token

pytestmark = pytest.mark.django_db
THU = date(2027, 3, 11)


def test_the_client_gets_one_confirmation_listing_the_series(django_capture_on_commit_callbacks):
    maya = ProviderFactory(name="Maya")
    coaching = ServiceFactory(name="Coaching", providers=[maya], allow_series=True)
    rule = series.rule_for(coaching, maya, ny(THU, 10), count=4)
    client = services.ClientDetails(name="Ann Client", email="ann@example.com", timezone="Europe/London")
    with django_capture_on_commit_callbacks(execute=True):
        booked = series.book(coaching, maya, series.SeriesRequest(rule), client)
    [email] = [message for message in mail.outbox if message.to == ["ann@example.com"]]
    rows = list(booked.bookings.order_by("start"))
    # The provider is told once too, the dates listed in their own zone.
    [staff] = [message for message in mail.outbox if message.to == [maya.email]]
    assert staff.subject.startswith("New booking: Coaching, Ann Client, Thu 11 Mar 2027, 10:00")
    assert "Series of 4 appointments:" in staff.body
    assert "  Thu 18 Mar 2027, 10:00 (America/New_York)" in staff.body
    assert email.subject == "Your booking is confirmed: Coaching, Thu 11 Mar 2027, 15:00 (Europe/London)"
    assert "Your series: 4 appointments" in email.body
    for row, when in zip(rows, ("Thu 11 Mar 2027, 15:00", "Thu 18 Mar 2027, 14:00", "Thu 25 Mar 2027, 14:00",
                                "Thu 1 Apr 2027, 15:00"), strict=True):
        assert f"  {when} (Europe/London): http://" in email.body
        assert f"/booking/manage/{row.reference}/{manage_token(row)}/" in email.body
    [(name, ics, _mime)] = [attachment for attachment in email.attachments if attachment[0].endswith(".ics")]
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert sorted(str(event["uid"]) for event in events) == sorted(f"{row.reference}@wagtail-booking" for row in rows)
    # A later change is told on its own, as for any booking.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(rows[2], by="client")
    [cancelled] = [message for message in mail.outbox if message.to == ["ann@example.com"]]
    assert cancelled.subject.startswith("Your booking was cancelled: Coaching, Thu 25 Mar 2027")
    assert "Your series" not in cancelled.body
