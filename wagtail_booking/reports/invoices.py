"""Invoices and credit notes for booking orders and purchases (receipts), numbered without gaps.

A number is taken from :class:`DocumentCounter` under a row lock, in the same database transaction that creates the
document. If that transaction rolls back, so does the counter: the number was never issued, and the next document
gets it. Numbers are therefore consecutive, never reused and never skipped, even with several workers.
"""

import logging
from decimal import Decimal

from django.db import transaction
from oscar.core.loading import get_model

from ..bookings.models import Booking
from ..checkout.catalogue import booking_references
from ..checkout.models import BookingPayment
from ..conf import booking_settings
from ..giftcards.tender import SOURCE_TYPE_CODE
from .models import DocumentCounter, Invoice

logger = logging.getLogger(__name__)

Transaction = get_model("payment", "Transaction")
Order = get_model("order", "Order")


def next_number(series: str) -> int:
    """The next value of ``series``. Call inside ``transaction.atomic()``; the lock is held until it ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Document numbers are taken inside the transaction that creates the document")
    DocumentCounter.objects.bulk_create([DocumentCounter(series=series)], ignore_conflicts=True)
    counter = DocumentCounter.objects.select_for_update().get(series=series)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


def format_number(kind: str, sequence: int) -> str:
    prefix = booking_settings.INVOICE_PREFIX if kind == Invoice.Kind.INVOICE else booking_settings.CREDIT_NOTE_PREFIX
    return f"{prefix}{sequence:06d}"


def _create(kind, site_id, **fields) -> Invoice:
    """Each business numbers its own documents: the series is the kind and the business (site)."""
    sequence = next_number(f"{kind}:{site_id}")
    return Invoice.objects.create(kind=kind, site_id=site_id, sequence=sequence,
                                  number=format_number(kind, sequence), **fields)


def _source(payment):
    return payment.order.sources.filter(reference=payment.payment_intent_id).first()


def issue_documents(payment_id) -> list[Invoice]:
    """Issue what a payment is owed: an invoice once money was taken, a credit note per refund. A purchase (a gift
    card, a package) gets its receipt the same way, with no booking.

    Safe to call any number of times (a retried task issues nothing twice). Returns the documents issued now.
    """
    issued = []
    with transaction.atomic():
        payment = (BookingPayment.objects.select_for_update(of=("self",)).select_related("order", "booking")
                   .filter(pk=payment_id, order__isnull=False).first())
        source = _source(payment) if payment else None
        if source is None or source.amount_debited <= 0:
            return []
        invoice = Invoice.objects.filter(order=payment.order, kind=Invoice.Kind.INVOICE).first()
        if invoice is None:
            invoice = _create(Invoice.Kind.INVOICE, payment.site_id, order=payment.order, booking=payment.booking,
                              amount=source.amount_debited, currency=source.currency)
            issued.append(invoice)
        refunds = source.transactions.filter(txn_type="Refund", credit_note__isnull=True).order_by("date_created",
                                                                                                    "pk")
        for refund in refunds:
            issued.append(_create(Invoice.Kind.CREDIT_NOTE, payment.site_id, order=payment.order,
                                  booking=payment.booking,
                                  refund_transaction=refund, credited_invoice=invoice, amount=refund.amount,
                                  currency=source.currency))
    for document in issued:
        ensure_pdf(document)
    return issued


def issue_invoice_without_card(order_id) -> Invoice | None:
    """The invoice of an appointment's order that gift cards paid in full (no Stripe payment, so no
    ``BookingPayment`` to follow): issued once, for what the cards paid. None when the order pays no appointment."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        booking = Booking.objects.filter(reference__in=booking_references(order)).first() if order else None
        if booking is None:
            return None
        invoice = Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).first()
        if invoice is not None:
            return invoice
        paid = sum((s.amount_debited for s in order.sources.filter(source_type__code=SOURCE_TYPE_CODE)), Decimal(0))
        if paid <= 0:
            return None
        invoice = _create(Invoice.Kind.INVOICE, booking.site_id, order=order, booking=booking, amount=paid,
                          currency=order.currency)
    ensure_pdf(invoice)
    return invoice


def ensure_pdf(document: Invoice) -> bytes:
    """The document's PDF, rendered and stored the first time it is asked for."""
    if not document.pdf:
        from .invoice_pdf import render_invoice

        document.pdf = render_invoice(document)
        document.save(update_fields=["pdf"])
    return bytes(document.pdf)


def invoice_for_booking(booking) -> Invoice | None:
    """The booking's invoice, issued now if its payment was taken and none exists yet (for the confirmation email)."""
    payment = (BookingPayment.objects.filter(booking=booking, order__isnull=False).order_by("-pk").first())
    if payment is None:
        return None
    existing = Invoice.objects.filter(order_id=payment.order_id, kind=Invoice.Kind.INVOICE).first()
    if existing is None:
        issue_documents(payment.pk)
        existing = Invoice.objects.filter(order_id=payment.order_id, kind=Invoice.Kind.INVOICE).first()
    return existing


def credit_notes_for_booking(booking) -> list[Invoice]:
    """The booking's credit notes, issuing any its recorded refunds are still owed (for the cancellation email)."""
    for payment_id in BookingPayment.objects.filter(booking=booking, order__isnull=False).values_list("pk", flat=True):
        issue_documents(payment_id)
    return list(Invoice.objects.filter(booking=booking, kind=Invoice.Kind.CREDIT_NOTE).order_by("sequence"))


def invoice_attachment(booking):
    """``(filename, bytes, mimetype)`` of the booking's invoice, or None while nothing has been paid."""
    try:
        invoice = invoice_for_booking(booking)
        return (invoice.filename, ensure_pdf(invoice), "application/pdf") if invoice else None
    except Exception:  # the confirmation email matters more than its attachment
        logger.exception("Could not attach the invoice for booking %s", booking.pk)
        return None
