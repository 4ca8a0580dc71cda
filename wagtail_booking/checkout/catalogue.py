"""The Oscar side of a booking: a non-shipping "Appointment" product per service, and options on the basket line."""

from django.conf import settings
from oscar.core.loading import get_model

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


def appointment_class():
    product_class, _ = ProductClass.objects.get_or_create(
        slug=PRODUCT_CLASS_SLUG, defaults={"name": "Appointment", "requires_shipping": False, "track_stock": False})
    options = [Option.objects.get_or_create(code=code, defaults={"name": name, "type": Option.TEXT,
                                                                 "required": False})[0]
               for code, name in OPTIONS.items()]
    product_class.options.add(*options)
    return product_class


def product_for(service):
    """The service's product, its stock record priced at the deposit due (kept in step with the service)."""
    product, _ = Product.objects.get_or_create(
        upc=f"wagtail-booking-service-{service.pk}",
        # Not public: the shop must not sell a deposit without a held booking behind it.
        defaults={"title": service.name, "product_class": appointment_class(), "structure": Product.STANDALONE,
                  "is_public": False})
    if product.title != service.name or product.is_public:
        product.title, product.is_public = service.name, False
        product.save(update_fields=["title", "is_public"])
    partner, _ = Partner.objects.get_or_create(code=PARTNER_CODE, defaults={"name": "Bookings"})
    StockRecord.objects.update_or_create(
        product=product, partner=partner,
        defaults={"partner_sku": f"service-{service.pk}", "price": service.deposit_due,
                  "price_currency": settings.OSCAR_DEFAULT_CURRENCY})
    return product


def add_booking(basket, booking, local_start_text):
    """Put the held booking in the basket as its only appointment line."""
    for line in basket.all_lines():
        if line.product.product_class.slug == PRODUCT_CLASS_SLUG:
            line.delete()
    basket.reset_offer_applications()
    product = product_for(booking.service)  # creates the product class and its options on first use
    options = {option.code: option for option in Option.objects.filter(code__in=OPTIONS)}
    balance = booking.price - booking.deposit_due
    values = {"booking": booking.reference, "appointment": local_start_text, "provider": booking.provider.name,
              "balance": f"{balance} {booking.currency}"}
    basket.add_product(product, 1,
                       options=[{"option": options[code], "value": value} for code, value in values.items()])


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
