"""Lifecycle notifications, sent after the transaction that caused them commits.

Each is sent with ``sender=Booking`` and ``booking=<Booking>``; ``booking_rescheduled`` also carries
``previous_start``.
"""

from django.dispatch import Signal

booking_requested = Signal()
booking_confirmed = Signal()
booking_cancelled = Signal()
booking_rescheduled = Signal()
