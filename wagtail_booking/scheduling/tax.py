"""Tax arithmetic, pure: a price and a rate give the net amount and the tax, rounded as the currency is paid.
Used by the checkout's strategy (Oscar's lines) and by ``snippets.prices.with_tax`` (what a client pays).

Rounding is per line, half-up, to the currency's decimals (``formats.currency_digits``: 2 for CAD, 0 for JPY).
An inclusive price keeps its gross exactly (net = gross - tax); an exclusive one keeps its net (gross = net + tax).
"""

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def split_tax(price: Decimal, percent: Decimal, inclusive: bool, digits: int = 2) -> tuple[Decimal, Decimal]:
    """``(net, tax)`` of ``price`` at ``percent``: the price is gross when ``inclusive``, else net.

    ``split_tax(Decimal("113.00"), Decimal(13), True)`` -> ``(Decimal("100.00"), Decimal("13.00"))``;
    ``split_tax(Decimal("100.00"), Decimal(13), False)`` -> ``(Decimal("100.00"), Decimal("13.00"))``.
    """
    if not isinstance(price, Decimal) or not isinstance(percent, Decimal):
        raise TypeError("Amounts and rates are Decimals, never floats")
    step = Decimal(1).scaleb(-digits)
    price = price.quantize(step, rounding=ROUND_HALF_UP)
    if inclusive:
        tax = (price * percent / (HUNDRED + percent)).quantize(step, rounding=ROUND_HALF_UP)
        return price - tax, tax
    return price, (price * percent / HUNDRED).quantize(step, rounding=ROUND_HALF_UP)


def rate_of(net: Decimal, tax: Decimal) -> Decimal | None:
    """The rate a net amount and its tax show, to 0.1 %, for lines whose rate was not recorded; None for no net."""
    if not net:
        return None
    return (tax * HUNDRED / net).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
