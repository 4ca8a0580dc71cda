"""Custom-priced basket lines (gift cards, tips, balances, fees): the basket strategy prices them from the line."""

from decimal import Decimal

import pytest
from django.core import checks
from oscar.core.loading import get_class, get_model

from wagtail_booking.checkout import pricing

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
Selector = get_class("partner.strategy", "Selector")
AddToBasketForm = get_class("basket.forms", "AddToBasketForm")

TIP = pricing.line_priced("test-tip")


def product_of(slug, title="Tip"):
    product_class, _ = ProductClass.objects.get_or_create(
        slug=slug, defaults={"name": title, "requires_shipping": False, "track_stock": False})
    return Product.objects.create(title=title, product_class=product_class, upc=f"test-{slug}", is_public=False)


def basket():
    new = Basket.objects.create()
    new.strategy = Selector().strategy()
    return new


def test_a_line_priced_product_costs_what_its_line_says():
    tip = product_of(TIP)
    cart = basket()
    pricing.add_priced_line(cart, tip, Decimal("7.5"), "USD")
    pricing.add_priced_line(cart, tip, Decimal("2.25"), "USD")

    assert cart.num_lines == 2  # two amounts, two lines
    assert cart.total_incl_tax == Decimal("9.75")
    assert cart.currency == "USD"


def test_the_amount_is_read_again_from_the_saved_line():
    cart = basket()
    pricing.add_priced_line(cart, product_of(TIP), Decimal("12.00"), "USD")

    again = Basket.objects.get(pk=cart.pk)
    again.strategy = Selector().strategy()
    assert again.total_incl_tax == Decimal("12.00")


def test_only_line_priced_classes_take_an_amount():
    with pytest.raises(ValueError, match="not of a line-priced product class"):
        pricing.add_priced_line(basket(), product_of("test-ordinary", "Mug"), Decimal("1.00"), "USD")


def test_oscars_add_to_basket_form_cannot_set_the_amount():
    """The amount option is never on a product class, so a client cannot price a line from the shop's form."""
    tip = product_of(TIP)
    pricing.ensure_stockrecord(tip, "USD")
    form = AddToBasketForm(basket(), tip, data={"quantity": 1, "amount": "0.01"})

    assert form.is_valid(), form.errors
    assert "amount" not in form.cleaned_data


def test_the_installed_strategy_prices_lines_so_the_check_is_quiet():
    assert not [m for m in checks.run_checks() if m.id == "wagtail_booking.W004"]


def test_the_check_warns_when_the_strategy_ignores_line_prices(monkeypatch):
    """A project whose partner fork returns Oscar's plain strategy is told how to fix it."""
    from oscar.apps.partner import strategy as oscar_strategy

    from wagtail_booking.checkout.oscar_partner import strategy as ours

    monkeypatch.setattr(ours.Selector, "strategy", oscar_strategy.Selector.strategy)
    warned = [m for m in checks.run_checks() if m.id == "wagtail_booking.W004"]
    assert warned and "oscar_partner" in warned[0].hint
