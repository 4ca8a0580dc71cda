"""The Oscar side of a fee: an order with one custom-priced "fee" line, its Stripe source and one transaction per try.

Money is counted from ``Debit``/``Refund`` transactions (see ``reports.revenue``), so a try that took nothing is
written as an ``Authorise`` transaction whose status says what happened, and leaves the source's totals alone.
"""

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from oscar.core.loading import get_class, get_model

from . import catalogue, records

Basket = get_model("basket", "Basket")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
Transaction = get_model("payment", "Transaction")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
NoShippingRequired = get_class("shipping.methods", "NoShippingRequired")
Selector = get_class("partner.strategy", "Selector")

FEE_CLASS_SLUG = "booking-fee"
SOURCE_LABEL = "Card (Stripe)"


def _pricing():
    # Imported when first needed: pricing loads Oscar's strategy module, which imports pricing back.
    from . import pricing

    pricing.line_priced(FEE_CLASS_SLUG)  # a fee line costs its "amount" option
    return pricing


def fee_product(reason: str, title: str):
    return catalogue.standalone_product(f"wagtail-booking-fee-{reason}", title,
                                        catalogue.product_class(FEE_CLASS_SLUG, "Booking fee"))


def new_basket():
    """An empty basket for one fee, priced by the site's strategy; its id gives the order number."""
    _pricing()
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy(user=AnonymousUser())
    return basket


def order_number_for(basket) -> str:
    return OrderNumberGenerator().order_number(basket)


def place_fee_order(basket, booking, reason, title, amount: Decimal, currency, order_number):
    """Put the fee line in ``basket`` and place its order (guest: the client's email); returns the order."""
    booking_option = catalogue.text_option("booking", catalogue.OPTIONS["booking"])
    _pricing().add_priced_line(basket, fee_product(reason, title), amount, currency,
                               options=[{"option": booking_option, "value": booking.reference}])
    shipping = NoShippingRequired()
    charge = shipping.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    order = OrderCreator().place_order(basket=basket, total=total, shipping_method=shipping, shipping_charge=charge,
                                       user=AnonymousUser(), order_number=order_number,
                                       guest_email=booking.client_email)
    basket.submit()
    source_type, _ = SourceType.objects.get_or_create(code="stripe", defaults={"name": "Stripe"})
    Source.objects.create(order=order, source_type=source_type, currency=currency, label=SOURCE_LABEL,
                          reference="")
    return order


def source_of(payment):
    return payment.order.sources.get(label=SOURCE_LABEL)


def record_try(payment, amount, status_text, reference):
    """A try that took nothing (declined, or waiting for the client to authenticate)."""
    source = source_of(payment)
    if not source.reference:
        source.reference = payment.payment_intent_id
        source.save(update_fields=["reference"])
    Transaction.objects.create(source=source, txn_type=Transaction.AUTHORISE, amount=amount, reference=reference,
                               status=status_text[:128])


def record_paid(payment, amount, charge_id):
    """The fee was taken: Authorise + Debit on the source (what the revenue report counts) and a "Paid" event."""
    source = source_of(payment)
    if not source.reference:
        source.reference = payment.payment_intent_id
        source.save(update_fields=["reference"])
    source.allocate(amount, reference=payment.payment_intent_id, status="succeeded")
    source.debit(amount, reference=charge_id or payment.payment_intent_id, status="succeeded")
    records.event(payment.order, "Paid", amount, payment.payment_intent_id)
