"""The Reports menu pages: only for users with "view revenue reports"; filters; CSV and XLSX exports."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from wagtail_booking.reports.admin import NAMESPACE
from wagtail_booking.reports.views import REPORTS

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
URL_NAMES = [view.url_name for view in REPORTS] + [f"{view.url_name}_results" for view in REPORTS] + ["pdfs"]


@pytest.mark.parametrize("name", URL_NAMES)
def test_owner_sees_every_report(client, owner, name):
    client.force_login(owner)
    response = client.get(reverse(f"{NAMESPACE}:{name}"), {"period": "this_year"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", URL_NAMES)
def test_others_get_403(client, editor, name):
    client.force_login(editor)
    assert client.get(reverse(f"{NAMESPACE}:{name}")).status_code == 403
    assert client.get(reverse(f"{NAMESPACE}:{name}"), {"export": "csv"}).status_code == 403


def test_menu_items_only_for_owners(client, owner, editor):
    client.force_login(editor)
    assert b"Revenue over time" not in client.get(reverse("wagtailadmin_home")).content
    client.force_login(owner)
    assert b"Revenue over time" in client.get(reverse("wagtailadmin_home")).content


@pytest.fixture
def bookings_this_month():
    provider = ProviderFactory(name="Maya")
    service = ServiceFactory(name="Cut", providers=[provider], duration_minutes=45)
    today = datetime.now(NY).date().replace(day=1)
    start = datetime.combine(today, datetime.min.time(), tzinfo=NY) + timedelta(days=1, hours=10)
    return [BookingFactory(service=service, provider=provider, start=start + timedelta(hours=i),
                           status=status, price=Decimal("50"))
            for i, status in enumerate(["confirmed", "completed", "no_show", "cancelled"])]


def test_cancellation_report_page_shows_rates(client, owner, bookings_this_month):
    client.force_login(owner)
    response = client.get(reverse(f"{NAMESPACE}:cancellations"))
    assert response.status_code == 200
    rows = response.context["object_list"]
    assert [(r.label, r.booked, r.cancelled, r.no_shows) for r in rows] == [("Cut", 4, 1, 1)]
    assert b"25.0" in response.content


def test_revenue_page_has_chart_and_table(client, owner):
    client.force_login(owner)
    response = client.get(reverse(f"{NAMESPACE}:revenue"), {"period": "this_month", "interval": "week"})
    assert response.status_code == 200
    assert response.context["report_period"].zone == "America/New_York"


def test_exports_answer(client, owner, bookings_this_month):
    client.force_login(owner)
    url = reverse(f"{NAMESPACE}:cancellations")
    csv_response = client.get(url, {"export": "csv"})
    assert csv_response.status_code == 200 and csv_response["Content-Type"] == "text/csv"
    lines = b"".join(csv_response.streaming_content).decode().splitlines()
    assert lines[0].startswith("Service,Bookings,Cancelled") and lines[1].startswith("Cut,4,1,25.0")
    xlsx = client.get(url, {"export": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(xlsx.streaming_content))).active
    assert [cell.value for cell in sheet[2]][:3] == ["Cut", 4, 1]
    revenue_csv = client.get(reverse(f"{NAMESPACE}:revenue"), {"export": "csv", "period": "last_month"})
    assert b"".join(revenue_csv.streaming_content).decode().startswith("Period,Currency,Taken,Refunded,Net")


def test_utilisation_page(client, owner, bookings_this_month):
    client.force_login(owner)
    response = client.get(reverse(f"{NAMESPACE}:utilisation"))
    [row] = response.context["object_list"]
    assert row.provider == "Maya" and row.booked_minutes == 3 * 45 and row.available_minutes > 0
