"""The invoice (receipt) and credit note PDF for one booking order or purchase, in the client's language."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from .. import formats
from ..giftcards.models import GiftCard
from ..giftcards.tender import SOURCE_TYPE_CODE
from .pdf import HEADING, SMALL, TITLE, build, business, paragraph, table


def money(amount, currency):
    # French groups thousands with a narrow no-break space, which the PDF's standard fonts do not have
    return formats.money(amount, currency).replace("\u202f", "\u00a0")


def render_invoice(document) -> bytes:
    """Invoice or credit note ``document`` as PDF bytes: business, client, booking, amounts as Oscar recorded them.

    Written in the booking's language whoever asks first (the confirmation email, or staff in the admin): the PDF
    is made once and kept, and it is the client's document."""
    with formats.speaking(document.booking.language if document.booking_id else purchase_language(document.order)):
        return _render(document)


def _render(document) -> bytes:
    order = document.order
    booking = document.booking
    currency = document.currency
    seller = business(document.site)
    issued = timezone.localtime(document.issued_at)
    credit = document.kind == "credit_note"
    heading = (_("Credit note %(number)s") if credit else _("Invoice %(number)s")) % {"number": document.number}
    flow = [paragraph(seller["name"], TITLE),
            paragraph("\n".join(filter(None, [seller["address"], seller["email"], seller["phone"]])), SMALL),
            Spacer(1, 6 * mm), paragraph(heading, HEADING)]
    if booking is None:  # a purchase's receipt: a gift card, a package
        flow += [paragraph(_("Issued: %(date)s    Order: %(order)s") % {"date": date_format(issued, "j F Y"),
                                                                         "order": order.number}),
                 paragraph(_("Bill to: %(email)s") % {"email": order.email})]
    else:
        flow += [paragraph(_("Issued: %(date)s    Order: %(order)s    Booking: %(booking)s") % {
                     "date": date_format(issued, "j F Y"), "order": order.number, "booking": booking.reference}),
                 paragraph(_("Bill to: %(name)s <%(email)s>") % {"name": booking.client_name,
                                                                 "email": booking.client_email})]
    if credit:
        flow.append(paragraph(_("Credits invoice %(number)s") % {"number": document.credited_invoice.number}
                              if document.credited_invoice_id else _("Refund")))
    if booking is not None:
        flow += [Spacer(1, 4 * mm), paragraph(_("Appointment"), HEADING),
                 paragraph(_("%(service)s with %(provider)s") % {"service": booking.service.name,
                                                                 "provider": booking.provider.name}),
                 paragraph(formats.when(booking.start, booking.client_timezone, "l j F Y, H:i"))]
    flow.append(Spacer(1, 4 * mm))
    if credit:
        flow.append(credit_table(document))
    elif booking is None:
        flow += purchase_flow(order, currency)
    else:
        flow.append(invoice_table(document, order, booking, currency))
    flow += [Spacer(1, 6 * mm), paragraph(_("Amounts as recorded with your order; card payments through Stripe."),
                                          SMALL)]
    return build(flow, title=heading, author=seller["name"])


def invoice_table(document, order, booking, currency):
    """Per line: net, tax rate, tax and gross, as Oscar recorded them; then the totals, all in the order's currency.

    A balance paid after the visit has its own table (``balance_table``)."""
    payment = getattr(order, "booking_payment", None)
    if payment is not None and payment.kind == "balance":
        return balance_table(document, order, booking, currency)
    blank = ""
    rows = [[_("Item"), _("Net"), _("Tax rate"), _("Tax"), _("Amount")],
            [_("%(service)s (full price)") % {"service": booking.service.name}, blank, blank, blank,
             money(booking.price, currency)]]
    for line in order.lines.all():
        net, gross = line.line_price_before_discounts_excl_tax, line.line_price_before_discounts_incl_tax
        rows.append([_("Deposit: %(line)s") % {"line": line.title}, money(net, currency), tax_rate_text(line),
                     money(gross - net, currency), money(gross, currency)])
    for discount in order.discounts.all():
        label = (_("Voucher %(code)s") % {"code": discount.voucher_code} if discount.voucher_code
                 else (discount.offer_name or _("Discount")))
        rows.append([label, blank, blank, blank, money(-discount.amount, currency)])
    rows += [[_("Deposit total (incl. tax)"), money(order.total_excl_tax, currency), blank,
              money(order.total_tax, currency), money(order.total_incl_tax, currency)]]
    rows += [[label, blank, blank, blank, amount] for label, amount in paid_rows(order, currency)]
    rows += [[_("Balance due at the appointment"), blank, blank, blank,
              money(booking.balance_due, currency)]]  # as the client pays it (tax included)
    return table(rows, widths=[70 * mm, 26 * mm, 22 * mm, 22 * mm, 28 * mm], bold_last=True)


def purchase_language(order):
    """A receipt is in the language the gift card was bought in, else the site's default."""
    card = GiftCard.objects.filter(order=order).exclude(language="").first()
    return card.language if card else None


def purchase_flow(order, currency) -> list:
    """A purchase's lines: a gift card is stored value (money the business owes in services), not a taxable sale;
    a package is a sale of sessions, with its tax as Oscar recorded it."""
    blank = ""
    rows = [[_("Item"), _("Net"), _("Tax rate"), _("Tax"), _("Amount")]]
    notes = []
    for line in order.lines.select_related("product__product_class"):
        net, gross = line.line_price_before_discounts_excl_tax, line.line_price_before_discounts_incl_tax
        card = GiftCard.objects.filter(order_line=line).first()
        if card is not None:
            rows.append([_("Gift card %(card)s (stored value)") % {"card": card.masked_code}, blank, blank, blank,
                         money(gross, currency)])
            notes = [_("A gift card is stored value to spend on our services, not a taxable sale: tax is charged "
                       "on the services it pays for.")]
        else:
            rows.append([line.title, money(net, currency), tax_rate_text(line), money(gross - net, currency),
                         money(gross, currency)])
    rows += [[_("Total (incl. tax)"), money(order.total_excl_tax, currency), blank, money(order.total_tax, currency),
              money(order.total_incl_tax, currency)]]
    rows += [[label, blank, blank, blank, amount] for label, amount in paid_rows(order, currency)]
    table_ = table(rows, widths=[70 * mm, 26 * mm, 22 * mm, 22 * mm, 28 * mm], bold_last=True)
    return [paragraph(_("Purchase"), HEADING), table_, *[paragraph(note, SMALL) for note in notes]]


def tax_rate_text(line) -> str:
    """The line's tax rate as recorded (its tax code, e.g. "HST 13%"), or "0%" for a line without tax."""
    if line.tax_code:
        return line.tax_code
    return "0%" if line.line_price_before_discounts_incl_tax == line.line_price_before_discounts_excl_tax else ""


def paid_rows(order, currency):
    """How the order was paid: "Paid by card" (its Stripe source, when there is one), then each gift card."""
    card = [[_("Paid by card"), money(source.amount_debited, currency)]
            for source in order.sources.filter(source_type__code="stripe")]
    return card + gift_card_rows(order, currency)


def gift_card_rows(order, currency):
    """One "Paid by gift card ····ABCD" row (label, amount) per gift card source of the order."""
    return [[_("Paid by gift card %(card)s") % {"card": source.label.rsplit(" ", 1)[-1]},
             money(source.amount_debited, currency)]
            for source in order.sources.filter(source_type__code=SOURCE_TYPE_CODE)]


def balance_table(document, order, booking, currency):
    """The balance paid after the visit: its line (add-ons included) and the tip, each as the order has them."""
    rows = [[_("Item"), _("Amount")]]
    for line in order.lines.select_related("product__product_class"):
        tip = line.product_id and line.product.product_class.slug == "tip"
        label = (_("Tip for %(provider)s") % {"provider": booking.provider.name} if tip else
                 _("Balance of %(service)s after the visit") % {"service": booking.service.name})
        rows.append([label, money(line.line_price_incl_tax, currency)])
    rows += [[_("Total (incl. tax)"), money(order.total_incl_tax, currency)]]
    rows += paid_rows(order, currency)
    return table(rows, widths=[120 * mm, 45 * mm], bold_last=True)


def credit_table(document):
    refund = document.refund_transaction
    rows = [[_("Item"), _("Amount")],
            [_("Refund %(reference)s") % {"reference": refund.reference} if refund else _("Refund"),
             money(-document.amount, document.currency)],
            [_("Reason"), refund.status if refund else ""],
            [_("Total credited"), money(document.amount, document.currency)]]
    return table(rows, widths=[120 * mm, 45 * mm], bold_last=True)
