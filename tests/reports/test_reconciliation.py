"""Report figures add up, to the cent, to Oscar's payment records and to what the Stripe fake saw.

The checkout runs on 30 November 2026 (the clock is pinned there: the scenario's appointments must lie ahead);
the ledger dates (Oscar ``Transaction.date_created``, what the reports read) are then moved
to the scenario's dates so that the money spans several months and both DST changes in America/New_York.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from oscar.core.loading import get_model

from tests.checkout.conftest import paid_booking
from tests.reports.conftest import pdf_text
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.businesses import default_site
from wagtail_booking.checkout import facade
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.checkout.money import from_minor_units
from wagtail_booking.reports import activity, revenue
from wagtail_booking.reports.models import Invoice
from wagtail_booking.reports.periods import Period
from wagtail_booking.reports.report_pdf import render_report

Source = get_model("payment", "Source")
Transaction = get_model("payment", "Transaction")
NY = ZoneInfo("America/New_York")
D = Decimal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.time_machine(datetime(2026, 11, 30, 15, tzinfo=UTC))]


def at(*args, fold=0):
    return datetime(*args, tzinfo=NY, fold=fold)


def move(booking, txn_type, when, nth=0):
    txn = (Transaction.objects.filter(source__order__booking_payment__booking=booking, txn_type=txn_type)
           .order_by("pk")[nth])
    Transaction.objects.filter(pk=txn.pk).update(date_created=when)


@pytest.fixture
def scenario(stripe_client, stripe_fake, massage, site_root):
    """Seven $18 deposits: kept, no-show, partly refunded, cancelled early and late, two around the March DST change."""
    start = {name: at(*day, 10) for name, day in {
        "kept": (2026, 12, 14), "no_show": (2026, 12, 15), "partial": (2026, 12, 16), "early": (2027, 1, 11),
        "late": (2027, 1, 12), "before_dst": (2027, 3, 12), "after_dst": (2027, 3, 15)}.items()}
    b = {name: paid_booking(stripe_client, massage, when, f"{name}@example.com") for name, when in start.items()}
    b["repeat"] = paid_booking(stripe_client, massage, at(2027, 1, 13, 10), "kept@example.com")
    services.mark_outcome(b["kept"], Booking.Status.COMPLETED, now=b["kept"].end)  # outcomes once started
    services.mark_outcome(b["no_show"], Booking.Status.NO_SHOW, now=b["no_show"].end)
    facade.refund(facade.paid_payment(b["partial"]), D("4.50"), "goodwill")
    services.cancel(b["early"], by="client")
    services.cancel(b["late"], by="staff", now=start["late"] - timedelta(hours=2))
    # When the money moved, in the site's zone (America/New_York):
    move(b["kept"], "Debit", at(2026, 10, 31, 23, 30))             # 03:30 UTC on 1 Nov: October locally
    move(b["no_show"], "Debit", at(2026, 11, 1, 1, 30, fold=1))    # the second 01:30 of the fall-back night
    move(b["partial"], "Debit", at(2026, 11, 30, 23, 30))          # 04:30 UTC on 1 Dec: November locally
    move(b["partial"], "Refund", at(2026, 12, 2, 12))
    move(b["early"], "Debit", at(2026, 12, 5, 12))
    move(b["early"], "Refund", at(2026, 12, 6, 12))
    move(b["late"], "Debit", at(2027, 1, 3, 12))
    move(b["late"], "Refund", at(2027, 3, 14, 3, 30))              # just after the spring-forward gap
    move(b["before_dst"], "Debit", at(2027, 3, 13, 23, 30))
    move(b["after_dst"], "Debit", at(2027, 3, 14, 12))
    move(b["repeat"], "Debit", at(2027, 1, 20, 12))
    return b


def test_revenue_reconciles_with_oscar_and_stripe(scenario, stripe_fake):
    period = Period(date(2026, 10, 1), date(2027, 3, 31), "America/New_York")
    monthly = revenue.over_time(revenue.Filters(period, interval="month"))
    by_month = {row.key: (row.taken, row.refunded) for row in monthly}
    assert by_month == {
        date(2026, 10, 1): (D("18.00"), D("0.00")),
        date(2026, 11, 1): (D("36.00"), D("0.00")),
        date(2026, 12, 1): (D("18.00"), D("22.50")),
        date(2027, 1, 1): (D("36.00"), D("0.00")),
        date(2027, 2, 1): (D("0.00"), D("0.00")),
        date(2027, 3, 1): (D("36.00"), D("18.00")),
    }
    [total] = revenue.totals(revenue.Filters(period))
    assert (total.currency, total.taken, total.refunded, total.net) == ("USD", D("144.00"), D("40.50"), D("103.50"))
    assert sum(row.taken for row in monthly) == total.taken and sum(row.refunded for row in monthly) == total.refunded
    assert [(t.taken, t.refunded, t.payments, t.refunds) for t in revenue.combine(monthly)] == [
        (total.taken, total.refunded, total.payments, total.refunds)]

    # Oscar's Sources, our payments and Stripe all say the same.
    sources = Source.objects.all()
    assert sum(s.amount_debited for s in sources) == total.taken
    assert sum(s.amount_refunded for s in sources) == total.refunded
    assert sum(p.amount_captured for p in BookingPayment.objects.all()) == total.taken
    assert sum(p.amount_refunded for p in BookingPayment.objects.all()) == total.refunded
    assert from_minor_units(sum(pi["amount_received"] for pi in stripe_fake.payment_intents.values()), "USD") \
        == total.taken
    assert from_minor_units(sum(r["amount"] for r in stripe_fake.refunds.values()), "USD") == total.refunded

    weekly = {row.key: (row.taken, row.refunded) for row in revenue.over_time(revenue.Filters(period,
                                                                                            interval="week"))}
    assert weekly[date(2027, 3, 8)] == (D("36.00"), D("18.00"))  # Mon 8 March: the week the clocks went forward
    assert weekly[date(2026, 10, 26)] == (D("36.00"), D("0.00"))  # 31 Oct and the fall-back night, same week
    [by_service] = revenue.by_dimension(revenue.Filters(period), "service")
    [by_provider] = revenue.by_dimension(revenue.Filters(period), "provider")
    assert by_service.net == by_provider.net == total.net and by_service.extra["orders"] == 8


def test_cancellations_and_clients(scenario):
    period = Period(date(2026, 12, 1), date(2027, 3, 31), "America/New_York")
    [row] = activity.cancellations(revenue.Filters(period))
    assert (row.booked, row.cancelled, row.late_cancelled, row.no_shows) == (8, 2, 1, 1)
    assert (row.cancellation_rate, row.late_cancellation_rate, row.no_show_rate) == (D("25.0"), D("12.5"),
                                                                                      D("12.5"))
    clients = {c.email: c for c in activity.clients(revenue.Filters(period))}
    assert clients["kept@example.com"].bookings == 2 and clients["kept@example.com"].lifetime_value == "US$36.00"
    assert clients["partial@example.com"].lifetime_value == "US$13.50"
    assert clients["early@example.com"].lifetime_value == "US$0.00"
    assert activity.repeat_rate(list(clients.values())) == D("14.3")  # 1 of 7 clients


def test_invoices_and_credit_notes_follow_the_money(scenario):
    invoices = Invoice.objects.filter(kind="invoice").order_by("sequence")
    credit_notes = Invoice.objects.filter(kind="credit_note").order_by("sequence")
    assert [i.number for i in invoices] == [f"INV-{n:06d}" for n in range(1, 9)]
    assert [(c.number, c.amount) for c in credit_notes] == [("CN-000001", D("4.50")), ("CN-000002", D("18.00")),
                                                            ("CN-000003", D("18.00"))]
    assert sum(i.amount for i in invoices) - sum(c.amount for c in credit_notes) == D("103.50")
    partial = scenario["partial"].invoices.get(kind="credit_note")
    text = pdf_text(bytes(partial.pdf))
    assert "CN-000001" in text and "-US$4.50" in text and partial.credited_invoice.number in text
    confirmations = [m for m in mail.outbox if "confirmed" in m.subject]
    assert len(confirmations) == 8
    for message in confirmations:
        [(name, content, mimetype)] = [a for a in message.attachments if a[2] == "application/pdf"]
        assert name.startswith("INV-") and "US$18.00" in pdf_text(content)


def test_report_pdf_has_the_same_figures(scenario):
    period = Period(date(2026, 10, 1), date(2027, 3, 31), "America/New_York")
    text = pdf_text(render_report(period, default_site()))  # the one business of this install
    assert "144.00" in text and "40.50" in text and "103.50" in text
    assert "Oct 2026" in text and "Mar 2027" in text and "Massage" in text


def test_utc_bucketing_would_differ(scenario):
    """Guard: the October deposit is in November by UTC, so a zone-blind report would be wrong."""
    october = Transaction.objects.filter(date_created__lt=datetime(2026, 11, 1, 4, tzinfo=UTC),
                                         date_created__gte=datetime(2026, 11, 1, tzinfo=UTC))
    assert october.count() == 1
