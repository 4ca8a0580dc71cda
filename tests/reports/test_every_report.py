"""Every report page, CSV and XLSX export, and every PDF, answered with the right figures on whichever database
the run uses (scripts/test.sh runs this on PostgreSQL and on SQLite, the sandbox's default)."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.checkout.conftest import far, paid_booking
from tests.checkout.test_balance import pay_balance
from tests.factories.booking import BookingFactory
from tests.reports.conftest import pdf_text
from wagtail_booking.businesses import default_site_id
from wagtail_booking.checkout import facade
from wagtail_booking.giftcards import ledger
from wagtail_booking.packages.models import CreditPurchase, Package
from wagtail_booking.reports import links
from wagtail_booking.reports.admin import NAMESPACE
from wagtail_booking.reports.models import Invoice, RevenueReport
from wagtail_booking.reports.views import REPORTS

pytestmark = pytest.mark.django_db(transaction=True)

# What each report says about the scenario below, on the page, in the CSV and in the XLSX alike:
# {first column value: {heading: value}}. Money as formats.money writes it (en-gb, the test language) on the page;
# the exports carry the same amounts as numbers (MONEY_NUMBERS) beside a Currency column.
MONEY_NUMBERS = {"US$36.00": Decimal("36"), "US$4.50": Decimal("4.5"), "US$31.50": Decimal("31.5"),
                 "US$240.00": Decimal("240"), "US$80.00": Decimal("80"), "US$160.00": Decimal("160"),
                 "US$50.00": Decimal("50"), "US$18.00": Decimal("18"), "US$32.00": Decimal("32"),
                 "US$0.00": Decimal("0"),
                 "US$115.20": Decimal("115.2"), "US$110.70": Decimal("110.7"), "US$7.20": Decimal("7.2"),
                 "US$103.50": Decimal("103.5"), "US$201.50": Decimal("201.5")}
# Taken: two $18 deposits and kept's balance ($72) with a 10% tip ($7.20); Revenue: Net less the tip.
MASSAGE_MONEY = {"Orders": "3", "Taken": "US$115.20", "Refunded": "US$4.50", "Net": "US$110.70", "Tips": "US$7.20",
                 "Revenue (net less tips)": "US$103.50"}
EXPECTED = {
    "revenue": {},  # one row per day: checked by its totals below
    "revenue_by_service": {"Massage": MASSAGE_MONEY},
    "revenue_by_provider": {"Maya": MASSAGE_MONEY},
    "utilisation": {"Maya": {"Booked minutes": "180"}},
    "cancellations": {"Massage": {"Bookings": "5", "Cancelled": "2", "Cancelled (share)": "40.0%",
                                  "Late cancellations": "1", "No-shows": "1", "No-shows (share)": "20.0%"}},
    "clients": {"kept@example.com": {"Bookings in period": "1", "Lifetime value (net paid)": "US$97.20"},
                "partial@example.com": {"Lifetime value (net paid)": "US$13.50"},
                "late@example.com": {"Lifetime value (net paid)": "US$0.00"}},
    # A $240 three-pack ($80 a credit): two used, one of them given back by a cancellation; two outstanding.
    "deferred_revenue": {"Three massages": {"Credits sold": "3", "Credits used": "1", "Credits expired": "0",
                                            "Credits outstanding": "2", "Sold": "US$240.00", "Used": "US$80.00",
                                            "Outstanding (deferred)": "US$160.00"}},
    "gift_card_liability": {"USD": {"Sold": "US$50.00", "Redeemed": "US$18.00", "Returned by refunds": "US$0.00",
                                    "Outstanding at the end": "US$32.00"}},
    "tips_by_provider": {"Maya": {"Tips": "1", "Amount": "US$7.20"}},
    # Revenue = card net 110.70 - tip 7.20 + the $18 the gift card paid + one $80 credit used (net of the return).
    "money_summary": {figure: {"Amount": amount} for figure, amount in [
        ("Card: taken for appointments", "US$115.20"), ("Card: net", "US$110.70"), ("Tips (the providers')", "US$7.20"),
        ("Paid by gift cards (less returned)", "US$18.00"), ("Package credits used (less returned)", "US$80.00"),
        ("Revenue", "US$201.50"), ("Sold in advance: net", "US$0.00"), ("Stripe: taken less refunded", "US$110.70")]},
}


def test_every_report_has_expected_figures():
    # A report added to REPORTS must say here what the scenario shows in it.
    assert {view.url_name for view in REPORTS} == set(EXPECTED)


@pytest.fixture
def deposits(stripe_client, massage, provider, monday, site_root):
    """Two $18 deposits (one refunded $4.50), a no-show, a late and an early cancellation, all in one week."""
    kept = paid_booking(stripe_client, massage, far(monday, 10), "kept@example.com")
    partial = paid_booking(stripe_client, massage, far(monday, 11), "partial@example.com")
    facade.refund(facade.paid_payment(partial), Decimal("4.50"), "goodwill")
    for hour, status, email, notice in [(13, "no_show", "noshow@example.com", None),
                                        (14, "cancelled", "late@example.com", timedelta(hours=2)),
                                        (15, "cancelled", "early@example.com", timedelta(days=10))]:
        start = far(monday, hour)
        BookingFactory(service=massage, provider=provider, start=start, status=status, client_email=email,
                       cancelled_at=start - notice if notice else None)
    bought = CreditPurchase.objects.create(
        package=Package.objects.create(name="Three massages", sessions=3, price=Decimal("240.00")),
        client_email="kept@example.com", sessions=3, value_per_session=Decimal("80.00"), currency="USD",
        expires_at=timezone.now() + timedelta(days=180))
    for kind, change in [("granted", 3), ("used", -1), ("used", -1), ("returned", 1)]:
        bought.entries.create(kind=kind, change=change)
    card, _code = ledger.issue(default_site_id(), "USD", Decimal("50.00"))
    ledger.apply(card, 424242, Decimal("18.00"))
    ledger.redeem_basket(424242, "GIFT-1", Decimal("18.00"))  # a $50 gift card, $18 of it spent
    first_day = timezone.localdate() - timedelta(days=1)  # the money moved today
    return {"kept": kept, "partial": partial, "first_day": first_day, "last_day": far(monday).date() + timedelta(7)}


@pytest.fixture
def scenario(deposits, stripe_client, time_machine):
    """The deposits; then, after kept's appointment, its client pays the $72 balance with a 10% tip ($7.20)."""
    kept = deposits["kept"]
    time_machine.move_to(kept.end + timedelta(minutes=5), tick=True)
    _, payment = pay_balance(Client(), stripe_client, kept, tip="10")
    assert facade.finalise(payment.payment_intent_id).kind == "paid"
    return deposits


def period(scenario):
    return {"period": "custom", "dates_from": scenario["first_day"].isoformat(),
            "dates_to": scenario["last_day"].isoformat()}


def csv_rows(response):
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def xlsx_rows(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def exported_value(cell: str, shown: str) -> str:
    """The page's text for an exported cell: a money column is a plain number there (``36.00`` or ``36``)."""
    if shown in MONEY_NUMBERS and re.fullmatch(r"-?[0-9.]+", cell):  # a column exported as words stays words
        return shown if Decimal(cell) == MONEY_NUMBERS[shown] else cell
    return cell


def by_first_column(rows):
    first = next(iter(rows[0]))
    return {row[first]: row for row in rows}


@pytest.mark.parametrize("view", REPORTS, ids=[view.url_name for view in REPORTS])
def test_report_page_and_exports(client, owner, scenario, view):
    client.force_login(owner)
    url = reverse(f"{NAMESPACE}:{view.url_name}")
    for page_url in (url, reverse(f"{NAMESPACE}:{view.url_name}_results")):
        page = client.get(page_url, period(scenario))
        assert page.status_code == 200, (page_url, page.content[:500])
        assert page.context["object_list"], page_url  # the scenario shows up in every report
        html = re.sub(r">\s+", ">", re.sub(r"\s+<", "<", page.content.decode()))
        assert "Relevancy" not in html and "Customer rating" not in html  # no shop search in the header
        for figures in EXPECTED[view.url_name].values():
            for value in figures.values():
                assert f">{value}<" in html, (view.url_name, value)  # a cell of its own
    rows = csv_rows(client.get(url, {**period(scenario), "export": "csv"}))
    spreadsheet = xlsx_rows(client.get(url, {**period(scenario), "export": "xlsx"}))
    for exported in (by_first_column(rows), by_first_column(spreadsheet)):
        for key, figures in EXPECTED[view.url_name].items():
            assert {heading: exported_value(exported[key][heading], figures[heading]) for heading in figures} \
                == figures, view.url_name
            if any(exported[key][heading] != figures[heading] for heading in figures):  # money as numbers
                assert exported[key]["Currency"] == "USD"
    assert len(spreadsheet) == len(rows)  # the same rows as the CSV, under one heading row
    assert not any(value in ("True", "False", "None") for row in rows for value in row.values())


def test_revenue_over_time_adds_up_and_takes_half_a_range(client, owner, scenario):
    client.force_login(owner)
    over_time = csv_rows(client.get(reverse(f"{NAMESPACE}:revenue"), {**period(scenario), "export": "csv"}))
    assert sum(Decimal(row["Taken"]) for row in over_time) == Decimal("115.20")
    assert sum(Decimal(row["Tips"]) for row in over_time) == Decimal("7.20")  # numbers a spreadsheet adds up
    assert sum(Decimal(row["Refunded"]) for row in over_time) == Decimal("4.50")
    # Half a custom range (up to today) is a range too, not a date compared with a datetime.
    since = client.get(reverse(f"{NAMESPACE}:revenue"), {"period": "custom",
                                                         "dates_from": scenario["first_day"].isoformat()})
    assert since.status_code == 200 and since.context["report_period"].last == timezone.localdate()
    assert "<svg" in since.content.decode()


def test_every_pdf(client, owner, scenario):
    client.force_login(owner)
    response = client.post(reverse(f"{NAMESPACE}:pdfs"), {"period": "custom",
                                                          "first_day": scenario["first_day"].isoformat(),
                                                          "last_day": scenario["last_day"].isoformat()})
    assert response.status_code == 302
    report = RevenueReport.objects.get()  # built by the (immediate) Huey task after commit
    assert (report.state, report.problem) == ("ready", "")
    download = client.get(reverse(f"{NAMESPACE}:pdf_download", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = pdf_text(download.content)
    assert "US$115.20" in text and "US$4.50" in text and "US$110.70" in text and "Cancellations and no-shows" in text
    assert "40.0%" in text  # the cancellation share, as on the page
    documents = Invoice.objects.order_by("pk")
    assert sorted(documents.values_list("kind", flat=True)) == ["credit_note", "invoice", "invoice", "invoice"]
    for document in documents:
        staff = client.get(reverse(f"{NAMESPACE}:invoice_download", args=[document.pk]))
        mine = Client().get(links.invoice_url(document))
        for answer in (staff, mine):
            assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
            assert document.number in pdf_text(answer.content)
