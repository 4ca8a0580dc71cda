"""Lifecycle notifications, sent after the transaction that caused them commits.

Each is sent with ``sender=Booking`` and ``booking=<Booking>``. ``booking_rescheduled`` also carries
``previous_start``; ``booking_confirmed`` carries ``approved=True`` when staff approved a request;
``booking_cancelled`` carries ``by`` ("client" or "staff") and ``declined=True`` when staff
declined a request.
"""

from django.dispatch import Signal

booking_requested = Signal()
booking_confirmed = Signal()
booking_cancelled = Signal()
booking_rescheduled = Signal()
# Sent with ``status`` ("completed" or "no_show") when staff record how an appointment went.
booking_outcome = Signal()
# Sent with ``sender=BookingPayment``, ``payment=<BookingPayment>`` and ``kind`` ("debit" or "refund") after money
# was taken or given back and recorded in Oscar (after commit).
payment_recorded = Signal()
