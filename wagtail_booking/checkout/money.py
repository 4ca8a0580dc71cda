"""The one place where shop amounts become Stripe's integer minor units and back."""

from decimal import ROUND_HALF_UP, Decimal

# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())


def _exponent(currency: str) -> int:
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``Decimal("12.34"), "USD"`` -> ``1234``; ``Decimal("500"), "JPY"`` -> ``500``."""
    if not isinstance(amount, Decimal):
        raise TypeError("Amounts are Decimals, never floats")
    scaled = amount.scaleb(_exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(scaled)


def from_minor_units(minor: int, currency: str) -> Decimal:
    exponent = _exponent(currency)
    return (Decimal(minor).scaleb(-exponent)).quantize(Decimal(1).scaleb(-exponent))
