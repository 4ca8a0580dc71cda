"""Gift card liability, per currency, from the gift card ledger: what was sold, spent, given back and adjusted in
the period, and what holders can still spend at its end (money the business owes in services)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from ..formats import money
from ..giftcards.models import GiftCardEntry
from .revenue import Filters

KINDS = {"sold": GiftCardEntry.Kind.ISSUED, "redeemed": GiftCardEntry.Kind.REDEEMED,
         "returned": GiftCardEntry.Kind.RETURNED, "adjusted": GiftCardEntry.Kind.ADJUSTED}


@dataclass
class LiabilityRow:
    """``redeemed`` is shown as a positive amount; ``adjusted`` keeps its sign (staff may add or take)."""

    currency: str
    sold: Decimal
    redeemed: Decimal
    returned: Decimal
    adjusted: Decimal
    outstanding: Decimal

    def __getattr__(self, name):
        if name.endswith("_money"):
            return money(getattr(self, name.removesuffix("_money")), self.currency)
        raise AttributeError(name)


def liability(filters: Filters) -> list[LiabilityRow]:
    """One row per currency with gift card activity in the period or a balance owed at its end. One query."""
    entries = filters.for_sites(GiftCardEntry.objects.all(), path="card__site")
    start, end = filters.period.start, filters.period.end
    in_period = Q(created_at__gte=start, created_at__lt=end)
    sums = {name: Sum("amount", filter=in_period & Q(kind=kind), default=Decimal("0"))
            for name, kind in KINDS.items()}
    rows = (entries.filter(created_at__lt=end).values("card__currency")
            .annotate(**sums, outstanding=Sum("amount", default=Decimal("0"))).order_by("card__currency"))
    return [LiabilityRow(row["card__currency"], row["sold"], -row["redeemed"], row["returned"], row["adjusted"],
                         row["outstanding"]) for row in rows]
