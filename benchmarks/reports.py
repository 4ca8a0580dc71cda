"""Revenue report speed: 100,000 bookings with paid orders over 2025-2026 (20 providers, America/New_York), one
in eight partly refunded. Rows are bulk-created straight into the tables (Orders, Sources, Transactions,
BookingPayments), once; later runs reuse them.

Prints the median time and the SQL query count for the revenue report of 2026 by month (the Python call and the
admin page, middleware included) and for issuing and rendering one invoice PDF. Run on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/reports.py
"""

import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_database, measure, setup  # noqa: E402

setup("bench_wagtail_booking_reports")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

NY = ZoneInfo("America/New_York")
BOOKINGS = 100_000
PROVIDERS = 20
REPEATS = 20
DEPOSIT = Decimal("18.00")


def build():
    from oscar.core.loading import get_model

    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.checkout.models import BookingPayment
    from wagtail_booking.snippets.models import Provider, Service

    Order, Source, SourceType = (get_model("order", "Order"), get_model("payment", "Source"),
                                 get_model("payment", "SourceType"))
    Transaction = get_model("payment", "Transaction")
    if BookingPayment.objects.filter(order__isnull=False).count() == BOOKINGS:
        return
    for model in (BookingPayment, Transaction, Source, Order, Booking, Service, Provider):
        model.objects.all().delete()
    providers = Provider.objects.bulk_create(Provider(name=f"Provider {n:02d}", timezone="America/New_York")
                                             for n in range(PROVIDERS))
    service = Service.objects.create(name="Massage", duration_minutes=60, price=Decimal("90"))
    service.providers.set(providers)
    source_type, _ = SourceType.objects.get_or_create(code="stripe", defaults={"name": "Stripe"})
    bookings, orders, stamps = [], [], []
    first = datetime(2025, 1, 1, 9, tzinfo=NY)
    for n in range(BOOKINGS):
        provider = providers[n % PROVIDERS]
        slot = n // PROVIDERS  # 5,000 per provider over 730 days: 7 a day, 09:00-15:00 local
        start = datetime.combine((first + timedelta(days=slot // 7)).date(), datetime.min.time(), tzinfo=NY) \
            + timedelta(hours=9 + slot % 7)
        status = ("completed", "completed", "no_show", "cancelled", "completed", "confirmed", "completed")[n % 7]
        bookings.append(Booking(reference=f"B{n:07d}", service=service, provider=provider, start=start,
                                end=start + timedelta(hours=1), blocked_start=start,
                                blocked_end=start + timedelta(hours=1), status=status, client_name=f"Client {n}",
                                client_email=f"client{n % 30_000}@example.com", client_timezone="America/New_York",
                                price=Decimal("90"), deposit_due=DEPOSIT, currency="USD"))
        paid_at = start - timedelta(days=14)
        stamps.append(paid_at)
        orders.append(Order(number=f"{200000 + n}", currency="USD", total_incl_tax=DEPOSIT, total_excl_tax=DEPOSIT,
                            status="Paid", guest_email=f"client{n % 30_000}@example.com", date_placed=paid_at))
    Booking.objects.bulk_create(bookings, batch_size=5000)
    Order.objects.bulk_create(orders, batch_size=5000)
    refunded = {n: Decimal("4.50") if n % 16 else DEPOSIT for n in range(0, BOOKINGS, 8)}
    sources = Source.objects.bulk_create(
        (Source(order=order, source_type=source_type, currency="USD", amount_allocated=DEPOSIT,
                amount_debited=DEPOSIT, amount_refunded=refunded.get(n, Decimal("0")), reference=f"pi_{n}")
         for n, order in enumerate(orders)), batch_size=5000)
    date_created = Transaction._meta.get_field("date_created")
    date_created.auto_now_add = False  # the ledger's dates are the scenario's, not today's
    try:
        transactions = [Transaction(source=source, txn_type="Debit", amount=DEPOSIT, date_created=stamps[n])
                        for n, source in enumerate(sources)]
        transactions += [Transaction(source=sources[n], txn_type="Refund", amount=amount,
                                     date_created=stamps[n] + timedelta(days=3)) for n, amount in refunded.items()]
        Transaction.objects.bulk_create(transactions, batch_size=5000)
    finally:
        date_created.auto_now_add = True
    BookingPayment.objects.bulk_create(
        (BookingPayment(booking=booking, basket_id=n, order_number=orders[n].number, order=orders[n],
                        payment_intent_id=f"pi_{n}", amount=DEPOSIT, currency="USD", state="captured",
                        amount_captured=DEPOSIT, amount_refunded=refunded.get(n, Decimal("0")))
         for n, booking in enumerate(bookings)), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main():
    from django.contrib.auth import get_user_model

    from wagtail_booking.checkout.models import BookingPayment
    from wagtail_booking.reports import revenue
    from wagtail_booking.reports.invoice_pdf import render_invoice
    from wagtail_booking.reports.invoices import issue_documents
    from wagtail_booking.reports.models import Invoice
    from wagtail_booking.reports.periods import Period

    with bench_database():
        started = time.perf_counter()
        build()
        print(f"data ready in {time.perf_counter() - started:.1f} s: {BOOKINGS:,} bookings with paid orders")
        filters = revenue.Filters(Period(date(2026, 1, 1), date(2026, 12, 31), "America/New_York"), interval="month")
        ms, sql, rows = measure(lambda: revenue.over_time(filters), REPEATS)
        print(f"revenue 2026 by month, Python call: {ms:8.1f} ms {sql:3d} queries "
              f"({len(rows)} rows, net {sum(r.net for r in rows)} USD)")
        user, _ = get_user_model().objects.get_or_create(username="bench-owner", defaults={"is_superuser": True,
                                                                                          "is_staff": True})
        client = Client()
        client.force_login(user)

        def page():
            response = client.get("/admin/booking-reports/revenue/", {"period": "custom", "dates_from": "2026-01-01",
                                                                     "dates_to": "2026-12-31",
                                                                     "interval": "month"})
            assert response.status_code == 200, response.status_code
            assert str(response.context["report_period"]).startswith("01 Jan 2026"), response.context["report_period"]
            return response

        ms, sql, _ = measure(page, REPEATS)
        print(f"revenue 2026 by month, admin page:  {ms:8.1f} ms {sql:3d} queries (session, user, chart, totals)")
        payment = BookingPayment.objects.order_by("-pk").first()
        Invoice.objects.filter(order_id=payment.order_id).delete()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            issued = issue_documents(payment.pk)
            ms, sql = (time.perf_counter() - started) * 1000, len(captured)
        print(f"issue one invoice + PDF:            {ms:8.1f} ms {sql:3d} queries ({len(issued)} documents)")
        invoice = Invoice.objects.get(order_id=payment.order_id, kind="invoice")
        ms, sql, content = measure(lambda: render_invoice(Invoice.objects.get(pk=invoice.pk)), REPEATS)
        print(f"render one invoice PDF:             {ms:8.1f} ms {sql:3d} queries ({len(content):,} bytes)")


if __name__ == "__main__":
    main()
