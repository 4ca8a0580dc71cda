"""Basket lines whose price is set by us, not by a stock record: a gift card's chosen amount, a tip, a balance, a fee.

Such a product's class is in :data:`LINE_PRICED_CLASSES`; the line carries the amount in its ``amount`` option and
the basket strategy (:class:`LinePricing`) prices it from there. The ``amount`` option is never attached to a
product class, so Oscar's add-to-basket form cannot set it: only our code, through :func:`add_priced_line`, does.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from oscar.core.loading import get_class, get_model

Option = get_model("catalogue", "Option")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

AMOUNT_OPTION = "amount"
# Product class slugs priced by their lines. Modules that add such a class register it with ``line_priced``.
LINE_PRICED_CLASSES: set[str] = set()


def line_priced(product_class_slug: str) -> str:
    """Declare that products of this class are priced by their lines; returns the slug (for module constants)."""
    LINE_PRICED_CLASSES.add(product_class_slug)
    return product_class_slug


class LinePricing:
    """Strategy mixin: a line-priced product's line costs its ``amount`` (tax-free, in its stock record's currency).

    Mix it in before the Oscar strategy class, e.g. ``class Default(LinePricing, strategy.Default)``.
    """

    def fetch_for_line(self, line, stockrecord=None):
        info = super().fetch_for_line(line, stockrecord)
        amount = line_amount(line)
        if amount is None or not info.stockrecord:
            return info
        # Looked up here, not at import: the partner app's strategy module imports this one.
        FixedPrice = get_class("partner.prices", "FixedPrice")  # noqa: N806 - Oscar's class names
        PurchaseInfo = get_class("partner.strategy", "PurchaseInfo")  # noqa: N806
        price = FixedPrice(currency=info.stockrecord.price_currency, excl_tax=amount, tax=Decimal("0"))
        return PurchaseInfo(price=price, availability=info.availability, stockrecord=info.stockrecord)


def line_amount(line) -> Decimal | None:
    """The amount a line-priced line costs, or None for any other line (or one without a readable amount)."""
    if line.product.get_product_class().slug not in LINE_PRICED_CLASSES:
        return None
    for attribute in line.attributes.all():
        if attribute.option and attribute.option.code == AMOUNT_OPTION:
            try:
                amount = Decimal(str(attribute.value))
            except (InvalidOperation, ValueError):
                return None
            return amount if amount.is_finite() and amount >= 0 else None
    return None


def amount_option():
    option, _ = Option.objects.get_or_create(code=AMOUNT_OPTION, defaults={
        "name": "Amount", "type": Option.TEXT, "required": False})
    return option


def ensure_stockrecord(product, currency: str, partner_code="wagtail-booking"):
    """A zero-priced stock record in ``currency``, so Oscar can add the product; the line sets its price."""
    partner, _ = Partner.objects.get_or_create(code=partner_code, defaults={"name": "Bookings"})
    StockRecord.objects.get_or_create(product=product, partner=partner, price_currency=currency,
                                      defaults={"partner_sku": f"{product.upc}-{currency}", "price": Decimal("0")})


def add_priced_line(basket, product, amount: Decimal, currency: str | None = None, options=()):
    """Add ``product`` (of a line-priced class) costing ``amount``; ``options``: Oscar's [{"option", "value"}]."""
    if product.get_product_class().slug not in LINE_PRICED_CLASSES:
        raise ValueError(f"{product} is not of a line-priced product class.")
    ensure_stockrecord(product, currency or settings.OSCAR_DEFAULT_CURRENCY)
    values = [{"option": amount_option(), "value": str(Decimal(amount).quantize(Decimal("0.01")))}, *options]
    return basket.add_product(product, 1, options=values)
