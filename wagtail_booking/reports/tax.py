"""Tax on the booking orders placed in a report's period, per currency (never added across currencies).

Counted from Oscar's orders (``total_excl_tax``, ``total_tax``, ``total_incl_tax``, as the basket strategy priced
them with each service's tax rate), on the local date each order was placed. Money taken and refunded stays in
``revenue`` (from payment transactions); this is the tax the orders charged, for the business's tax return.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from oscar.core.loading import get_model

from ..formats import money as money_text
from .revenue import ZERO, Filters, money

Order = get_model("order", "Order")


@dataclass(frozen=True)
class TaxRow:
    """One currency's orders: net, tax and gross."""

    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    orders: int

    @property
    def net_money(self) -> str:
        return money_text(self.net, self.currency)

    @property
    def tax_money(self) -> str:
        return money_text(self.tax, self.currency)

    @property
    def gross_money(self) -> str:
        return money_text(self.gross, self.currency)


def tax_totals(filters: Filters) -> list[TaxRow]:
    """One row per currency of the booking orders placed in the period. One query."""
    from ..checkout.models import BookingPayment

    payments = filters.for_sites(BookingPayment.objects.filter(order__isnull=False), "booking__site")
    if filters.service_id:
        payments = payments.filter(booking__service_id=filters.service_id)
    if filters.provider_id:
        payments = payments.filter(booking__provider_id=filters.provider_id)
    rows = (Order.objects.filter(pk__in=payments.values("order_id"), date_placed__gte=filters.period.start,
                                 date_placed__lt=filters.period.end)
            .values("currency").annotate(net_sum=Sum("total_excl_tax", default=ZERO),
                                         gross_sum=Sum("total_incl_tax", default=ZERO), orders=Count("id"))
            .order_by("currency"))
    return [TaxRow(values["currency"], money(values["net_sum"]), money(values["gross_sum"] - values["net_sum"]),
                   money(values["gross_sum"]), values["orders"]) for values in rows]
