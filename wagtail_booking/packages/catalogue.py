"""The Oscar side of a package: a non-shipping "Package" product per package, kept in step with the snippet."""

from oscar.core.loading import get_model

from ..checkout import catalogue

StockRecord = get_model("partner", "StockRecord")

PRODUCT_CLASS_SLUG = "package"


def package_class():
    return catalogue.product_class(PRODUCT_CLASS_SLUG, "Package")


def upc_of(package) -> str:
    return f"wagtail-booking-package-{package.pk}"


def product_for(package):
    """The package's product, its stock record at the package's price (kept in step with the snippet)."""
    product = catalogue.standalone_product(upc_of(package), package.name, package_class(), package.on_sale)
    if product.title != package.name or product.is_public != package.on_sale:
        product.title, product.is_public = package.name, package.on_sale
        product.save(update_fields=["title", "is_public"])
    StockRecord.objects.update_or_create(
        product=product, partner=catalogue.partner(),
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
