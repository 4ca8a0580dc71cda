"""Deferred revenue of packages: credits sold, used, expired and still outstanding, valued per credit.

A credit is worth what its purchase cost divided by its sessions (``CreditPurchase.value_per_session``). Sold, used,
expired and adjusted count the ledger's entries made in the period; outstanding is the balance at the period's end
(the money taken for sessions not yet given: deferred revenue). Used is net of credits returned by cancellations;
adjusted is staff grants less revocations. One row per package and currency, and a total per currency.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum

from ..formats import money
from ..packages.models import CreditEntry

ZERO = Decimal("0")
FIGURES = ("sold", "used", "expired", "adjusted", "outstanding")
# The ledger's kinds behind each figure, and the sign that makes the figure positive.
KINDS = {"sold": (Q(kind="granted", by__isnull=True), 1), "used": (Q(kind__in=["used", "returned"]), -1),
         "expired": (Q(kind="expired"), -1),
         "adjusted": (Q(kind="revoked") | Q(kind="granted", by__isnull=False), 1)}


@dataclass
class DeferredRow:
    label: str
    currency: str
    credits: dict
    values: dict

    def __getattr__(self, name):  # sold, sold_value, sold_money, ... for the report's columns and exports
        figure, _, suffix = name.partition("_")
        if figure not in FIGURES or suffix not in ("", "value", "money"):
            raise AttributeError(name)
        if suffix == "":
            return self.credits[figure]
        value = self.values[figure]
        return value if suffix == "value" else money(value, self.currency)


def deferred_revenue(filters) -> list[DeferredRow]:
    entries = filters.for_sites(CreditEntry.objects.all(), "purchase__site")
    worth = ExpressionWrapper(F("change") * F("purchase__value_per_session"),
                              output_field=DecimalField(max_digits=14, decimal_places=2))
    groups = defaultdict(lambda: {"credits": dict.fromkeys(FIGURES, 0), "values": dict.fromkeys(FIGURES, ZERO)})
    in_period = entries.filter(created_at__gte=filters.period.start, created_at__lt=filters.period.end)
    for figure, (which, sign) in KINDS.items():
        _add(groups, in_period.filter(which), figure, sign, worth)
    _add(groups, entries.filter(created_at__lt=filters.period.end), "outstanding", 1, worth)
    rows = [DeferredRow(name, currency, group["credits"], group["values"])
            for (name, currency), group in sorted(groups.items())]
    return rows + _totals(rows)


def _add(groups, entries, figure, sign, worth):
    for values in (entries.values("purchase__package__name", "purchase__currency")
                   .annotate(credits=Sum("change"), value=Sum(worth))):
        group = groups[(values["purchase__package__name"], values["purchase__currency"])]
        group["credits"][figure] += sign * (values["credits"] or 0)
        group["values"][figure] += sign * (values["value"] or ZERO)


def _totals(rows):
    by_currency = defaultdict(list)
    for row in rows:
        by_currency[row.currency].append(row)
    return [DeferredRow(f"All packages ({currency})", currency,
                        {f: sum(r.credits[f] for r in group) for f in FIGURES},
                        {f: sum((r.values[f] for r in group), ZERO) for f in FIGURES})
            for currency, group in sorted(by_currency.items()) if len(group) > 1]
