"""Oscar's default strategy, plus wagtail-booking's currencies, service tax and custom-priced lines.

A basket is one currency. The stock record a product is sold from is the one in the wanted currency: the one code
that adds a line names (``strategy.currency``, set by ``catalogue.add_booking``), else the one the client's
session last booked in, else Oscar's first record. A line stays with the record it was added from.
"""

from oscar.apps.partner import strategy
from oscar.core.loading import get_class

from ...formats import currency_digits
from ...site_settings import prices_include_tax
from ..catalogue import service_for
from ..pricing import LinePricing
from ..tax import split_tax

FixedPrice = get_class("partner.prices", "FixedPrice")
SESSION_CURRENCY = "wagtail_booking_currency"


class Selector(strategy.Selector):
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)


class CurrencyPicking:
    """Strategy mixin: the stock record in the wanted currency; a basket line keeps the record it was added from."""

    currency = None

    def wanted_currency(self) -> str | None:
        session = getattr(self.request, "session", None)
        return self.currency or (session.get(SESSION_CURRENCY) if session is not None else None)

    def select_stockrecord(self, product):
        records = list(product.stockrecords.all())
        wanted = self.wanted_currency()
        chosen = next((record for record in records if record.price_currency == wanted), None)
        return chosen or (records[0] if records else None)

    def fetch_for_line(self, line, stockrecord=None):
        if stockrecord is None and line.stockrecord_id:
            stockrecord = line.stockrecord
        return self.fetch_for_product(line.product, stockrecord)


class ServiceTax:
    """Strategy mixin: an appointment's price carries its service's tax rate (``Service.tax_rate``), worked out of
    the price or added to it as the business's "prices include tax" setting says; the rate's label is the line's
    ``tax_code``, which Oscar copies to the order line. Other products: the next policy (Oscar's: no tax)."""

    def pricing_policy(self, product, stockrecord):
        service = service_for(product) if stockrecord is not None and stockrecord.price is not None else None
        if service is None or service.tax_rate is None:
            return super().pricing_policy(product, stockrecord)
        currency = stockrecord.price_currency
        net, tax = split_tax(stockrecord.price, service.tax_rate.percent, prices_include_tax(service.site),
                             currency_digits(currency))
        return FixedPrice(currency=currency, excl_tax=net, tax=tax, tax_code=service.tax_rate.label()[:64])


class Default(LinePricing, CurrencyPicking, ServiceTax, strategy.Default):
    """Oscar's ``Default`` (stock required, no tax) with currencies, service tax and line-priced products."""
