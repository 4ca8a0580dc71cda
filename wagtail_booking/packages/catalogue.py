"""The Oscar side of a package: a non-shipping "Package" product per package, kept in step with the snippet."""

from oscar.core.loading import get_model

ProductClass = get_model("catalogue", "ProductClass")
Product = get_model("catalogue", "Product")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

PRODUCT_CLASS_SLUG = "package"
PARTNER_CODE = "wagtail-booking"


def package_class():
    product_class, _ = ProductClass.objects.get_or_create(
        slug=PRODUCT_CLASS_SLUG, defaults={"name": "Package", "requires_shipping": False, "track_stock": False})
    return product_class


def upc_of(package) -> str:
    return f"wagtail-booking-package-{package.pk}"


def product_for(package):
    """The package's product, its stock record at the package's price (kept in step with the snippet)."""
    product, _ = Product.objects.get_or_create(
        upc=upc_of(package), defaults={"title": package.name, "product_class": package_class(),
                                       "structure": Product.STANDALONE, "is_public": package.on_sale})
    if product.title != package.name or product.is_public != package.on_sale:
        product.title, product.is_public = package.name, package.on_sale
        product.save(update_fields=["title", "is_public"])
    partner, _ = Partner.objects.get_or_create(code=PARTNER_CODE, defaults={"name": "Bookings"})
    StockRecord.objects.update_or_create(
        product=product, partner=partner,
        defaults={"partner_sku": f"package-{package.pk}", "price": package.price,
                  "price_currency": package.price_currency})
    return product


def package_of(product):
    """The package a product sells, or None."""
    from .models import Package

    prefix = "wagtail-booking-package-"
    if not (product.upc or "").startswith(prefix):
        return None
    return Package.objects.filter(pk=product.upc.removeprefix(prefix)).first()
