"""The balance and the tip as Oscar basket lines, and what their payment records once the order is placed.

Both are line-priced products (``checkout.pricing``) of their own product classes, registered with
``checkout.fulfilment`` so that a basket holding only them is paid like a purchase. Each line names its booking
with the option ``balance_of`` (never ``booking``: that code marks a held appointment whose deposit is being paid,
and the deposit's preconditions would refuse a confirmed or completed booking).
"""

from decimal import Decimal

from django.conf import settings

from ...bookings.models import Booking
from .. import catalogue, fulfilment, pricing
from .models import Tip

BALANCE_CLASS = pricing.line_priced("balance")
TIP_CLASS = pricing.line_priced("tip")
OPTION = "balance_of"
TITLES = {BALANCE_CLASS: "Balance", TIP_CLASS: "Tip"}


def product(slug):
    """The one hidden product of the class ``slug`` ("balance" or "tip"); every booking's line uses it."""
    return catalogue.standalone_product(f"wagtail-booking-{slug}", TITLES[slug],
                                        catalogue.product_class(slug, TITLES[slug]))


def option():
    return catalogue.text_option(OPTION, "Booking reference")


def fill_basket(basket, booking, amount: Decimal, tip: Decimal):
    """Empty ``basket`` and put in it the balance (``amount``) and, when there is one, the tip."""
    if basket.id:  # a new visitor's basket is only saved when its first line is added
        basket.flush()
    basket.reset_offer_applications()
    currency = booking.currency or settings.OSCAR_DEFAULT_CURRENCY
    options = [{"option": option(), "value": booking.reference}]
    pricing.add_priced_line(basket, product(BALANCE_CLASS), amount, currency, options)
    if tip > 0:
        pricing.add_priced_line(basket, product(TIP_CLASS), tip, currency, options)


def _reference(line):
    for attribute in line.attributes.all():
        if attribute.option and attribute.option.code == OPTION:
            return attribute.value
    return None


def references(basket_or_order) -> list[str]:
    """Booking references of the balance and tip lines of a basket or an order."""
    lines = basket_or_order.all_lines() if hasattr(basket_or_order, "all_lines") else basket_or_order.lines.all()
    return [ref for ref in (_reference(line) for line in lines) if ref]


def booking_of(basket) -> Booking | None:
    """The booking whose balance the basket pays, or None for any other basket."""
    found = references(basket)
    return Booking.objects.filter(reference=found[0]).first() if found else None


def amounts(basket_or_order) -> dict:
    """{"balance": Decimal, "tip": Decimal} the basket or order charges."""
    lines = basket_or_order.all_lines() if hasattr(basket_or_order, "all_lines") else basket_or_order.lines.all()
    found = {BALANCE_CLASS: Decimal("0"), TIP_CLASS: Decimal("0")}
    for line in lines:
        slug = line.product.product_class.slug if line.product_id else ""
        if slug in found:
            found[slug] += pricing.line_amount(line) or Decimal("0")
    return found


def record_tip(order, line, payment):
    """Fulfilment of a tip line: the provider's tip, once per payment (the order is placed once per payment)."""
    if payment is None or payment.booking_id is None:
        return None
    booking = payment.booking
    return Tip.objects.create(site_id=booking.site_id, booking=booking, provider_id=booking.provider_id,
                              payment=payment, amount=line.line_price_incl_tax, currency=payment.currency)


def record_balance(order, line, payment):
    """Fulfilment of a balance line: nothing more to store (the payment row is the record, the history and the
    invoice follow its ``payment_recorded``)."""
    return None


def register(thanks_url):
    """Called from the app's ``ready()``; ``thanks_url(order)`` is the balance page of the order's booking."""
    fulfilment.register(BALANCE_CLASS, record_balance, thanks_url=thanks_url)
    fulfilment.register(TIP_CLASS, record_tip, thanks_url=thanks_url)
