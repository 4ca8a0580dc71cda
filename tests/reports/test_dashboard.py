"""Dashboard panels: this week's money as the revenue report counts it, for those allowed to see money, in a fixed
number of queries however busy the day is."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.booking import BookingFactory
from tests.helpers import NY
from tests.reports.test_every_report import deposits  # noqa: F401
from wagtail_booking.notifications.models import SmsMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_week_s_revenue_is_shown_as_money_to_owners_only(client, owner, editor, deposits):  # noqa: F811
    client.force_login(owner)
    html = client.get("/admin/").content.decode()
    assert "This week&#x27;s revenue" in html or "This week's revenue" in html
    assert "$36.00" in html and "$4.50" in html and "$31.50" in html  # taken, refunded, net
    assert "8 Mar – 14 Mar 2027" in html and "dates_after=2027-03-08" in html
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "revenue" not in html.lower() and "$36.00" not in html
    assert "Today&#x27;s appointments" in html or "Today's appointments" in html


def _today_bookings(service, provider, count, offset):
    today = datetime.now(NY).date()
    for index in range(count):
        start = datetime.combine(today, time(0), tzinfo=NY) + timedelta(minutes=15 * (index + offset))
        BookingFactory(service=service, provider=provider, start=start, status="requested" if index % 2 else
                       "confirmed", client_name=f"Client {index + offset}")


def _dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/").status_code == 200
    return len(queries)


def test_the_panels_take_a_fixed_number_of_queries(client, admin_user, massage, provider, site_root):
    massage.duration_minutes = 15
    massage.save()
    client.force_login(admin_user)
    _today_bookings(massage, provider, 3, 0)
    client.get("/admin/")  # the first visit of a session does one-off work (Wagtail's user profile)
    few = _dashboard_queries(client)
    _today_bookings(massage, provider, 30, 3)
    booking = BookingFactory(service=massage, provider=provider, start=timezone.now() + timedelta(days=3))
    for _ in range(5):
        SmsMessage.objects.create(booking=booking, kind="reminder", to="+12125550100", body="x", status="failed")
    html = client.get("/admin/").content.decode()
    assert "<strong>5</strong> text messages failed in the last 7 days" in html
    assert "16 requests wait for a decision." in html and "Client 1</a>" in html
    assert _dashboard_queries(client) == few
