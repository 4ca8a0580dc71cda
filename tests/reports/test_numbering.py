"""Invoice numbers are consecutive: a rolled-back transaction gives its number back, parallel workers never clash."""

import threading

import pytest
from django.db import connection, transaction

from wagtail_booking.reports.invoices import format_number, next_number
from wagtail_booking.reports.models import DocumentCounter


@pytest.mark.django_db
def test_rollback_leaves_no_gap():
    with transaction.atomic():
        assert next_number("invoice") == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("invoice") == 2
        raise RuntimeError("the order failed after the number was taken")
    with transaction.atomic():
        assert next_number("invoice") == 2
        assert next_number("credit_note") == 1  # its own series
    assert format_number("invoice", 2) == "INV-000002" and format_number("credit_note", 1) == "CN-000001"


@pytest.mark.django_db(transaction=True)
def test_numbers_need_a_transaction():
    """Outside a transaction the lock would end before the document exists: refused."""
    with pytest.raises(RuntimeError):
        next_number("invoice")


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_take_distinct_consecutive_numbers():
    taken, errors = [], []

    def worker():
        try:
            for _ in range(10):
                with transaction.atomic():
                    taken.append(next_number("invoice"))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(taken) == list(range(1, 51))
    assert DocumentCounter.objects.get(series="invoice").last_value == 50
