"""Oscar's default strategy, plus the custom-priced lines of wagtail-booking (gift cards, tips, balances, fees)."""

from oscar.apps.partner import strategy

from ..pricing import LinePricing


class Selector(strategy.Selector):
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)


class Default(LinePricing, strategy.Default):
    """Oscar's ``Default`` (first stock record, stock required, no tax) with line-priced products."""
