"""CSV exports cannot carry spreadsheet formulas (finding 4 of issue 8).

Cells starting with = + - @ tab or CR are what Excel, LibreOffice and Sheets run as formulas; a client can put
one in their name through the public API and the owner exports it. Each export is fetched through the admin as a
logged-in user and read back with the csv module.
"""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import get_resolver, reverse
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from tests.factories.booking import ProviderFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.exports import FORMULA_PREFIXES, SafeCsvExportMixin, neutralise

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
ATTACKS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def read_csv(response):
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def book_through_the_api(client, service, start, name, email):
    body = {"service": service.pk, "start": start.isoformat(), "name": name, "email": email,
            "timezone": "America/New_York"}
    response = client.post("/booking/api/holds", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def attacked(client, service, monday):
    """One booking per formula prefix: {reference: client name as stored}. Anyone can set a name through the public
    API; names with a tab or CR (which the API refuses as control characters) are made by the service layer, as
    another entry point could."""
    names = {}
    for index, name in enumerate(ATTACKS):
        start, email = ny(monday, 9 + index), f"c{index}@example.com"
        if name[0] in "\t\r":
            booking = services.create_hold(service, start, services.ClientDetails(name, email, "UTC"))
            names[booking.reference] = name
        else:
            names[book_through_the_api(client, service, start, name, email)] = name
    return names


@pytest.fixture
def owner(django_user_model):
    user = django_user_model.objects.create_user("owner", "owner@example.com", "pw", is_staff=True)
    group = Group.objects.create(name="Owners")
    group.permissions.set(Permission.objects.filter(codename__in=[
        "access_admin", "view_booking", "view_revenue_reports", "view_provider", "change_provider"]))
    user.groups.add(group)
    return user


@pytest.mark.parametrize("value", ATTACKS)
def test_text_that_starts_like_a_formula_is_prefixed(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Ann", "", "a=b", "O'Brien", 5, -5, None])
def test_other_values_are_unchanged(value):
    assert neutralise(value) == value


def test_bookings_csv_shows_formula_names_as_text(client, owner, attacked):
    client.force_login(owner)
    rows = read_csv(client.get("/admin/bookings/", {"export": "csv"}))
    header = rows[0]
    names = {row[header.index("Reference")]: row[header.index("Client name")] for row in rows[1:]}
    assert names == {reference: "'" + name for reference, name in attacked.items()}
    assert all(not cell.startswith(FORMULA_PREFIXES) for row in rows[1:] for cell in row
               if not cell.lstrip("-").replace(".", "").isdigit())  # negative numbers stay numbers


def test_clients_report_csv_shows_formula_names_as_text(client, owner, attacked, monday):
    client.force_login(owner)
    response = client.get(reverse("wagtail_booking_reports:clients"), {
        "export": "csv", "period": "custom", "dates_from": monday.isoformat(), "dates_to": monday.isoformat()})
    rows = read_csv(response)
    header = rows[0]
    assert sorted(row[header.index("Name")] for row in rows[1:]) == sorted("'" + name for name in ATTACKS)


def test_snippet_listing_csv_shows_formula_names_as_text(client, owner):
    ProviderFactory(name=HYPERLINK, email="p@example.com")
    client.force_login(owner)
    rows = read_csv(client.get("/admin/snippets/wagtail_booking/provider/", {"export": "csv"}))
    header = rows[0]
    assert [row[header.index("Name")] for row in rows[1:]] == ["'" + HYPERLINK]


def test_xlsx_export_keeps_the_name_as_plain_text(client, owner, attacked):
    from openpyxl import load_workbook

    client.force_login(owner)
    response = client.get("/admin/bookings/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("Client name")] for row in sheet.iter_rows(min_row=2)]
    assert HYPERLINK in [cell.value for cell in cells] and len(cells) == len(ATTACKS)
    assert {cell.data_type for cell in cells} == {"s"}  # text, never a formula


def _export_views(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _export_views(pattern.url_patterns, prefix + str(pattern.pattern))
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is None or not issubclass(view_class, SpreadsheetExportMixin):
            continue
        model = getattr(pattern.callback, "view_initkwargs", {}).get("model")
        if view_class.__module__.startswith("wagtail_booking") or (
                model is not None and model._meta.app_label == "wagtail_booking"):
            yield prefix + str(pattern.pattern), view_class


def test_every_export_of_the_package_goes_through_the_shared_helper():
    views = dict(_export_views(get_resolver().url_patterns))
    assert {"admin/bookings/", "admin/snippets/wagtail_booking/provider/",
            "admin/booking-reports/clients/"} <= set(views)
    assert [name for name, view in views.items() if not issubclass(view, SafeCsvExportMixin)] == []
