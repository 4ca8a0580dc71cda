"""The dashboard's panels show the user's businesses only."""

from datetime import datetime, time, timedelta

import pytest

from tests.factories.booking import BookingFactory
from tests.helpers import NY
from wagtail_booking.notifications.models import SmsMessage

pytestmark = pytest.mark.django_db


def test_a_owner_s_dashboard_shows_none_of_b_s_day(client, world):
    today = datetime.now(NY).date()
    for business in (world["A"], world["B"]):
        name = business.name
        BookingFactory(service=business.service, provider=business.provider, client_name=f"{name} today",
                       start=datetime.combine(today, time(23), tzinfo=NY))
        waiting = BookingFactory(service=business.service, provider=business.provider, status="requested",
                                 client_name=f"{name} request",
                                 start=datetime.combine(today + timedelta(days=1), time(23), tzinfo=NY))
        SmsMessage.objects.create(booking=waiting, kind="reminder", to="+12125550100", body="x", status="failed")
    client.force_login(world["A"].owner)
    html = client.get("/admin/").content.decode()
    a, b = world["A"].name, world["B"].name
    assert f"{a} today" in html and f"{a} request" in html
    assert f"{b} today" not in html and f"{b} request" not in html
    failed_a = SmsMessage.objects.filter(booking__site=world["A"].site, status="failed").count()
    assert SmsMessage.objects.filter(status="failed").count() > failed_a  # B has its own, not counted for A
    assert f"<strong>{failed_a}</strong> text message" in html
