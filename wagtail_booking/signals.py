"""Lifecycle notifications, sent inside the transaction that makes the change.

Each is sent with ``sender=Booking`` and ``booking=<Booking>``. ``booking_rescheduled`` also carries
``previous_start``; ``booking_confirmed`` carries ``approved=True`` when staff approved a request;
``booking_cancelled`` carries ``by`` ("client" or "staff") and ``declined=True`` when staff
declined a request.

Receivers run inside the transaction, each in its own savepoint: one that fails is logged and rolled back alone,
and never stops the others or the change itself. A receiver records what must happen with
``wagtail_booking.outbox.enqueue(task, ...)`` (delivered after the commit, even across a broker outage) or defers
anything else with ``transaction.on_commit``; it must not talk to the outside world directly.
"""

import logging

from asgiref.sync import async_to_sync
from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

booking_requested = Signal()
booking_confirmed = Signal()
booking_cancelled = Signal()
booking_rescheduled = Signal()
# Sent with ``status`` ("completed" or "no_show") when staff record how an appointment went.
booking_outcome = Signal()
# Sent with ``sender=BookingPayment``, ``payment=<BookingPayment>``, ``kind`` ("debit" or "refund") and ``amount``
# (the Decimal taken or given back this time) after money was taken or given back and recorded in Oscar (inside
# that transaction, with the payment row already showing it).
payment_recorded = Signal()
# Sent with ``sender=Booking``, ``booking`` and ``payment`` (or None) once the money of a cancelled or declined booking
# has been settled (refunded, released or kept), inside that transaction: the client's email can then say the refund.
# Also sent, with ``payment=None`` and ``refund_delayed=True``, when settling failed on every try (the email then
# says the refund is delayed).
cancellation_settled = Signal()
# Sent with ``sender=BookingPayment``, ``payment``, ``booking`` and ``problem`` (words staff can act on) when money
# could not be taken or given back and staff must step in: a capture before the card authorisation lapses, or a
# cancellation's refund that failed on every try. Sent once per problem, inside the transaction that records it.
payment_failed = Signal()
# Sent with ``sender=FeeCharge`` and ``fee`` when charging a fee to a card on file needs the client to authenticate
# (their bank asked); ``notifications`` emails them the link to do it. Inside the transaction that records the try.
fee_needs_authentication = Signal()
# Sent with ``sender=Booking`` and ``booking`` when a video link was made for an online booking after it was
# confirmed (by the calendar that received it: Google Meet, Microsoft Teams), inside the transaction that records it;
# ``notifications`` sends the client the link.
meeting_link_ready = Signal()
# Sent with ``order`` (an Oscar order) once an order that needed no card (gift cards paid all of it) is placed and
# its payment sources are saved, inside the checkout's request: ``reports`` issues its invoice.
order_paid_without_card = Signal()
# Sent with ``sender=WaitlistEntry`` and ``entry`` inside the transaction that puts a client on a waitlist
# (``joined``) or offers them a freed place (``offered``: the entry's ``offered_at`` names the offer);
# ``notifications`` sends the client the email (and the offer's text).
waitlist_joined = Signal()
waitlist_offered = Signal()
# Sent with ``sender=Booking`` and ``booking`` when a series paid up front could not charge this appointment's
# deposit to the client's card (declined, or the bank wants the client): the appointment stays reserved, and
# ``notifications`` emails its payment link at once. Inside the transaction that records the refusal.
series_deposit_refused = Signal()


def send_isolated(signal: Signal, sender, **kwargs) -> list:
    """Call each receiver in its own savepoint; a failing receiver is logged and skipped. Returns the results."""
    results = []
    sync_receivers, async_receivers = signal._live_receivers(sender)
    for receiver in [*sync_receivers, *(async_to_sync(receiver) for receiver in async_receivers)]:
        try:
            with transaction.atomic():
                results.append((receiver, receiver(signal=signal, sender=sender, **kwargs)))
        except Exception as error:
            logger.exception("Receiver %s of %s failed; the others still ran", getattr(receiver, "__qualname__",
                             receiver), _name(signal))
            results.append((receiver, error))
    return results


def _name(signal):
    return next((name for name, value in globals().items() if value is signal), repr(signal))
