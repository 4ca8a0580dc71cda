"""The invoice (receipt) and credit note PDF for one booking order."""

from zoneinfo import ZoneInfo

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from .pdf import HEADING, SMALL, TITLE, build, business, paragraph, table


def money(amount, currency):
    return f"{amount:,.2f} {currency}"


def render_invoice(document) -> bytes:
    """Invoice or credit note ``document`` as PDF bytes: business, client, booking, amounts as Oscar recorded them."""
    order = document.order
    booking = document.booking
    currency = document.currency
    seller = business(document.site)
    issued = timezone.localtime(document.issued_at)
    credit = document.kind == "credit_note"
    heading = f"Credit note {document.number}" if credit else f"Invoice {document.number}"
    local_start = booking.start.astimezone(ZoneInfo(booking.client_timezone))
    flow = [paragraph(seller["name"], TITLE),
            paragraph("\n".join(filter(None, [seller["address"], seller["email"], seller["phone"]])), SMALL),
            Spacer(1, 6 * mm), paragraph(heading, HEADING),
            paragraph(f"Issued: {issued:%d %B %Y}    Order: {order.number}    Booking: {booking.reference}"),
            paragraph(f"Bill to: {booking.client_name} <{booking.client_email}>")]
    if credit:
        flow.append(paragraph(f"Credits invoice {document.credited_invoice.number}"
                              if document.credited_invoice_id else "Refund"))
    flow += [Spacer(1, 4 * mm), paragraph("Appointment", HEADING),
             paragraph(f"{booking.service.name} with {booking.provider.name}"),
             paragraph(f"{local_start:%A %d %B %Y, %H:%M} ({local_start.tzname()}, {booking.client_timezone})"),
             Spacer(1, 4 * mm)]
    flow.append(credit_table(document) if credit else invoice_table(document, order, booking, currency))
    flow += [Spacer(1, 6 * mm), paragraph("Amounts as recorded with your order; card payments through Stripe.", SMALL)]
    return build(flow, title=heading, author=seller["name"])


def invoice_table(document, order, booking, currency):
    rows = [["Item", "Amount"],
            [f"{booking.service.name} (full price)", money(booking.price, currency)]]
    for line in order.lines.all():
        rows.append([f"Deposit: {line.title}", money(line.line_price_before_discounts_incl_tax, currency)])
    for discount in order.discounts.all():
        label = f"Voucher {discount.voucher_code}" if discount.voucher_code else (discount.offer_name or "Discount")
        rows.append([label, money(-discount.amount, currency)])
    rows += [["Deposit total (incl. tax)", money(order.total_incl_tax, currency)],
             ["  of which tax", money(order.total_tax, currency)],
             ["Paid by card", money(document.amount, currency)],
             ["Balance due at the appointment", money(booking.price - booking.deposit_due, currency)]]
    return table(rows, widths=[120 * mm, 45 * mm], bold_last=True)


def credit_table(document):
    refund = document.refund_transaction
    rows = [["Item", "Amount"],
            [f"Refund {refund.reference}" if refund else "Refund", money(-document.amount, document.currency)],
            ["Reason", refund.status if refund else ""],
            ["Total credited", money(document.amount, document.currency)]]
    return table(rows, widths=[120 * mm, 45 * mm], bold_last=True)
