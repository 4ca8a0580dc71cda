"""What the series-deposit sweep costs (``notifications.series_deposits.sweep``, every five minutes).

Series paid per appointment leave their later appointments held, each waiting for its deposit. The sweep releases
the ones whose deposit is late and emails the links that fall due. It prints the median time and SQL query count
of a sweep with nothing to do, over 300 and 3,000 waiting appointments (the cost every run pays, which should not
grow with them), and of a sweep sending 20 links (one claim and one queued email each). Run on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/series_deposits.py
"""

import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_database, measure, setup  # noqa: E402

setup("bench_wagtail_booking_series_deposits")

NOW = datetime(2027, 3, 10, 15, tzinfo=UTC)
REPEATS = 20


def clear():
    from wagtail_booking.bookings.models import Booking, BookingSeries
    from wagtail_booking.outbox.models import OutboxMessage

    Booking.objects.all().delete()
    BookingSeries.objects.all().delete()
    OutboxMessage.objects.all().delete()


def waiting(count, links_due=0):
    """``count`` later appointments held for their deposit, hourly from 10 days out; the first ``links_due`` of
    them start within the link window (their link is due now)."""
    from wagtail_booking.bookings.models import Booking, BookingSeries
    from wagtail_booking.snippets.models import Provider, Service

    clear()
    provider, _ = Provider.objects.get_or_create(name="Bench provider", defaults={"timezone": "UTC"})
    service, _ = Service.objects.get_or_create(name="Bench coaching", defaults={"duration_minutes": 30})
    series = BookingSeries.objects.create(service=service, provider=provider, local_time=time(10), timezone="UTC",
                                          client_name="Bench", client_email="bench@example.com")
    rows = []
    for index in range(count):
        start = NOW + (timedelta(days=3, hours=index) if index < links_due else timedelta(days=10, hours=index))
        rows.append(Booking(service=service, provider=provider, series=series, start=start,
                            end=start + timedelta(minutes=30), blocked_start=start,
                            blocked_end=start + timedelta(minutes=30), status=Booking.Status.HELD,
                            hold_expires_at=start - timedelta(hours=48), deposit_step="reserved",
                            client_name="Bench", client_email="bench@example.com", client_timezone="UTC",
                            price=90, deposit_due=18, currency="USD"))
    Booking.objects.bulk_create(rows, batch_size=500)


def main():
    import time_machine
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.notifications import series_deposits

    print(f"database: {connection.vendor}")
    HUEY.immediate = False  # the sweep's own cost: the emails are queued (outbox and broker), not sent here
    with time_machine.travel(NOW, tick=False):
        for count in (300, 3000):
            waiting(count)
            ms, queries, result = measure(series_deposits.sweep, REPEATS)
            print(f"sweep, nothing due, {count:>5} waiting: {ms:6.1f} ms, {queries} queries, {result}")
        waiting(3000, links_due=20)

        def send_links():
            Booking.objects.filter(deposit_step="link_sent").update(deposit_step="reserved")  # due again
            return series_deposits.sweep()

        ms, queries, result = measure(send_links, REPEATS)
        print(f"sweep queueing 20 links, 3000 waiting: {ms:6.1f} ms, {queries} queries (1 of them resets), "
              f"{result}")
        HUEY.storage.flush_all()
        clear()


if __name__ == "__main__":
    with bench_database():
        main()
