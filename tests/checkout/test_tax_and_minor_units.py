"""Pure money arithmetic: tax worked out of or added to a price, and Stripe's minor units per currency."""

from decimal import Decimal

import pytest

from wagtail_booking.checkout.money import from_minor_units, to_minor_units
from wagtail_booking.checkout.tax import rate_of, split_tax


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    (Decimal("30.00"), "CAD", 3000), (Decimal("22.50"), "usd", 2250),
    (Decimal("5000"), "JPY", 5000), (Decimal("5000.00"), "jpy", 5000), (Decimal("1500"), "KRW", 1500),
    (Decimal("12.345"), "KWD", 12345),  # three-decimal
    (Decimal("0.005"), "EUR", 1),  # half-up to the cent
])
def test_amounts_become_stripe_minor_units(amount, currency, minor):
    assert to_minor_units(amount, currency) == minor


def test_zero_decimal_currencies_come_back_whole():
    assert from_minor_units(5000, "JPY") == Decimal("5000")
    assert str(from_minor_units(5000, "JPY")) == "5000"  # ¥5000, never ¥50.00
    assert from_minor_units(3000, "CAD") == Decimal("30.00")
    assert to_minor_units(from_minor_units(1499, "JPY"), "JPY") == 1499


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_minor_units(12.5, "USD")
    with pytest.raises(TypeError):
        split_tax(50.0, Decimal(13), True)


def test_inclusive_price_keeps_its_gross_to_the_cent():
    assert split_tax(Decimal("50.00"), Decimal("13"), inclusive=True) == (Decimal("44.25"), Decimal("5.75"))
    assert split_tax(Decimal("113.00"), Decimal("13"), inclusive=True) == (Decimal("100.00"), Decimal("13.00"))
    assert split_tax(Decimal("19.99"), Decimal("20"), inclusive=True) == (Decimal("16.66"), Decimal("3.33"))


def test_exclusive_price_keeps_its_net_and_adds_tax():
    assert split_tax(Decimal("50.00"), Decimal("13"), inclusive=False) == (Decimal("50.00"), Decimal("6.50"))
    assert split_tax(Decimal("9.99"), Decimal("7.5"), inclusive=False) == (Decimal("9.99"), Decimal("0.75"))


def test_zero_decimal_currency_tax_is_whole_yen():
    assert split_tax(Decimal("5000"), Decimal("10"), inclusive=True, digits=0) == (Decimal("4545"), Decimal("455"))
    assert split_tax(Decimal("4999"), Decimal("8"), inclusive=False, digits=0) == (Decimal("4999"), Decimal("400"))


def test_zero_rate_is_no_tax_and_rate_of_reads_it_back():
    assert split_tax(Decimal("30.00"), Decimal("0"), inclusive=True) == (Decimal("30.00"), Decimal("0.00"))
    assert rate_of(Decimal("50.00"), Decimal("6.50")) == Decimal("13.0")
    assert rate_of(Decimal("0"), Decimal("0")) is None
