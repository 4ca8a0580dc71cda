"""The Oscar side of a booking: a non-shipping "Appointment" product per service, and options on the basket line."""

from oscar.core.loading import get_model

from ..snippets.models import Service
from ..snippets.prices import currencies_of, price_in

ProductClass = get_model("catalogue", "ProductClass")
Product = get_model("catalogue", "Product")
Option = get_model("catalogue", "Option")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

PRODUCT_CLASS_SLUG = "appointment"
PARTNER_CODE = "wagtail-booking"
# code -> label; Oscar shows these on basket lines, order lines and the dashboard.
OPTIONS = {
    "booking": "Booking reference",
    "appointment": "Appointment",
    "provider": "With",
    "balance": "Balance due at the appointment",
}
UPC_PREFIX = "wagtail-booking-service-"


# Oscar's rows behind what we sell (appointments here; fees, balances, tips, packages and gift cards elsewhere),
# created on first use with the same defaults, so no product of ours ships or counts stock.


def product_class(slug: str, name: str):
    """Our product class ``slug``: nothing to ship, no stock to track."""
    found, _ = ProductClass.objects.get_or_create(
        slug=slug, defaults={"name": name, "requires_shipping": False, "track_stock": False})
    return found


def standalone_product(upc: str, title: str, of_class, is_public=False):
    """The product ``upc`` (created as a standalone product of ``of_class``; hidden from the shop unless public)."""
    found, _ = Product.objects.get_or_create(
        upc=upc, defaults={"title": title, "product_class": of_class, "structure": Product.STANDALONE,
                           "is_public": is_public})
    return found


def text_option(code: str, name: str):
    """The optional text option ``code`` that our basket lines carry (a booking reference, what a buyer wrote)."""
    found, _ = Option.objects.get_or_create(code=code, defaults={"name": name, "type": Option.TEXT,
                                                                 "required": False})
    return found


def partner():
    """The partner our stock records belong to."""
    return Partner.objects.get_or_create(code=PARTNER_CODE, defaults={"name": "Bookings"})[0]


def appointment_class():
    found = product_class(PRODUCT_CLASS_SLUG, "Appointment")
    found.options.add(*(text_option(code, name) for code, name in OPTIONS.items()))
    return found


def product_for(service):
    """The service's product, with a stock record per currency the service is priced in, each at the deposit due
    in that currency (kept in step with the service; records of currencies it dropped are removed)."""
    # Not public: the shop must not sell a deposit without a held booking behind it.
    product = standalone_product(f"{UPC_PREFIX}{service.pk}", service.name, appointment_class())
    if product.title != service.name or product.is_public:
        product.title, product.is_public = service.name, False
        product.save(update_fields=["title", "is_public"])
    ours = partner()
    currencies = currencies_of(service)
    for currency in currencies:
        StockRecord.objects.update_or_create(
            product=product, partner=ours, price_currency=currency,
            defaults={"partner_sku": f"service-{service.pk}-{currency}", "price": price_in(service, currency).deposit})
    product.stockrecords.filter(partner=ours).exclude(price_currency__in=currencies).delete()
    return product


def service_for(product):
    """The service an appointment product sells, or None for any other product."""
    if not product.upc or not product.upc.startswith(UPC_PREFIX):
        return None
    pk = product.upc[len(UPC_PREFIX):]
    return Service.objects.select_related("tax_rate", "site").filter(pk=pk).first() if pk.isdigit() else None


class MixedCurrencies(ValueError):
    """The basket holds lines in another currency than the booking's: a basket is paid in one currency."""

    def __init__(self, basket_currency, booking_currency):
        self.basket_currency, self.booking_currency = basket_currency, booking_currency
        super().__init__(f"The basket is in {basket_currency}, the booking in {booking_currency}.")


def add_booking(basket, booking, local_start_text):
    """Put the held booking in the basket as its only appointment line, in the booking's currency.

    Raises :class:`MixedCurrencies` (and changes nothing) when the basket's other lines are in another currency.
    """
    others = {line.price_currency for line in basket.all_lines()
              if line.product.product_class.slug != PRODUCT_CLASS_SLUG}
    if others - {booking.currency}:
        raise MixedCurrencies(sorted(others)[0], booking.currency)
    for line in basket.all_lines():
        if line.product.product_class.slug == PRODUCT_CLASS_SLUG:
            line.delete()
    basket.reset_offer_applications()
    product = product_for(booking.service)  # creates the product class and its options on first use
    options = {option.code: option for option in Option.objects.filter(code__in=OPTIONS)}
    balance = booking.balance_due  # as the client pays it (with tax added on top)
    values = {"booking": booking.reference, "appointment": local_start_text, "provider": booking.provider.name,
              "balance": f"{balance} {booking.currency}"}
    strategy = basket.strategy
    # The line's stock record is the one in the booking's currency (CurrencyPicking strategies honour this).
    previous, strategy.currency = getattr(strategy, "currency", None), booking.currency
    try:
        # A class's seats are one line of ``seats`` units, each at the deposit of one seat (the booking's deposit).
        basket.add_product(product, booking.seats,
                           options=[{"option": options[code], "value": value} for code, value in values.items()])
    finally:
        strategy.currency = previous


def booking_references(basket_or_order) -> list[str]:
    """Booking references carried by a basket's or an order's lines."""
    lines = basket_or_order.all_lines() if hasattr(basket_or_order, "all_lines") else basket_or_order.lines.all()
    references = []
    for line in lines:
        for attribute in line.attributes.all():
            if attribute.option and attribute.option.code == "booking":
                references.append(attribute.value)
    return references


def appointment_lines(order, reference) -> list:
    """The order's lines that carry the booking ``reference``."""
    return [line for line in order.lines.prefetch_related("attributes__option")
            if any(attribute.option and attribute.option.code == "booking" and attribute.value == reference
                   for attribute in line.attributes.all())]


def is_booking_only(basket) -> bool:
    """The basket holds appointments and nothing else: its checkout is a booking, not a shop order."""
    lines = basket.all_lines()
    return bool(lines) and all(line.product.product_class.slug == PRODUCT_CLASS_SLUG for line in lines)
