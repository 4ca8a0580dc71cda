"""Money taken and refunded, aggregated in SQL.

Where the money is counted from
-------------------------------
Oscar's payment ``Transaction`` rows on the ``Source`` of every order placed for a booking (an order with a
``BookingPayment``):

* **taken** = ``Debit`` transactions (the checkout writes one per Stripe capture, deposits and full payments alike);
* **refunded** = ``Refund`` transactions (one per Stripe refund);
* **net** = taken - refunded;
* **tips** = what clients added as a tip to a balance (``reports/tips.py``): already in *taken* (one card payment
  carried the balance and the tip), shown apart because it is the provider's, not the business's;
* **revenue** = net - tips: deposits and balances (add-ons included) kept by the business.

Each transaction counts on the local date it was recorded (``date_created`` in the site's time zone), in its
Source's currency. Authorisations (``Authorise``) are not money taken until captured. Service and provider are the
booking's. Because the checkout writes these rows in the same database transaction as ``BookingPayment``'s
``amount_captured``/``amount_refunded``, the figures add up to Oscar's Sources, to our payments and to Stripe's
``amount_received`` and refunds (tests/reports/test_reconciliation.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from ..formats import money as money_text
from ..formats import short_date
from . import tips as tip_figures
from .periods import Period, buckets

Transaction = get_model("payment", "Transaction")

DEBIT, REFUND = "Debit", "Refund"
BOOKING = "source__order__booking_payment__booking"
STRIPE = "stripe"  # the SourceType code of the card payments (checkout.facade, checkout.fee_orders)
TRUNCATE = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
ZERO = Decimal("0.00")
CENT = Decimal("0.01")  # Oscar's amounts have two decimal places


def money(value) -> Decimal:
    """A summed amount with the column's two places: SQLite returns ``Sum`` of a decimal as e.g. ``Decimal("36")``."""
    return Decimal(value).quantize(CENT)


@dataclass(frozen=True)
class Filters:
    """What a report covers: a period of local dates, the businesses (site ids; None: every business, for
    callers that are not a person's request), optionally one service and one provider."""

    period: Period
    service_id: int | None = None
    provider_id: int | None = None
    interval: str = "month"
    sites: frozenset[int] | None = None

    def for_sites(self, queryset, path="site"):
        """``queryset`` narrowed to the businesses the report covers."""
        return queryset if self.sites is None else queryset.filter(**{f"{path}_id__in": sorted(self.sites)})


@dataclass
class MoneyRow:
    """Money figures of one group (a period, a service, a provider...) in one currency."""

    label: str
    currency: str
    taken: Decimal = ZERO
    refunded: Decimal = ZERO
    payments: int = 0
    refunds: int = 0
    key: object = None
    extra: dict = field(default_factory=dict)
    tips: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.taken - self.refunded

    @property
    def revenue(self) -> Decimal:
        return self.net - self.tips

    @property
    def tips_money(self) -> str:
        return money_text(self.tips, self.currency)

    @property
    def revenue_money(self) -> str:
        return money_text(self.revenue, self.currency)

    # As people read them (formats.money: the active language's way), for the report pages, exports and PDFs.
    @property
    def taken_money(self) -> str:
        return money_text(self.taken, self.currency)

    @property
    def refunded_money(self) -> str:
        return money_text(self.refunded, self.currency)

    @property
    def net_money(self) -> str:
        return money_text(self.net, self.currency)


def transactions(filters: Filters):
    """Debits and refunds of booking orders recorded in the period (one query when evaluated)."""
    from ..checkout.models import BookingPayment

    # A semi-join on the Source's order id: cheaper than joining order_order and then the payments. Purchases
    # (gift cards, packages) are money received in advance, not revenue: ``advance.sold_in_advance`` counts them.
    booking_orders = filters.for_sites(BookingPayment.objects.filter(order__isnull=False, booking__isnull=False)
                                       .exclude(kind=BookingPayment.Kind.PURCHASE))
    if filters.service_id:
        booking_orders = booking_orders.filter(booking__service_id=filters.service_id)
    if filters.provider_id:
        booking_orders = booking_orders.filter(booking__provider_id=filters.provider_id)
    return card_transactions(filters).filter(source__order_id__in=booking_orders.values("order_id"))


def card_transactions(filters: Filters):
    """Stripe's debits and refunds recorded in the period: a gift card's part of an order is its own Source, which
    the gift card ledger counts (``advance``), never a second time here."""
    return Transaction.objects.filter(
        date_created__gte=filters.period.start, date_created__lt=filters.period.end, txn_type__in=(DEBIT, REFUND),
        source__source_type__code=STRIPE)


MONEY = {
    "taken": Sum("amount", filter=Q(txn_type=DEBIT), default=ZERO),
    "refunded": Sum("amount", filter=Q(txn_type=REFUND), default=ZERO),
    "payments": Count("id", filter=Q(txn_type=DEBIT)),
    "refunds": Count("id", filter=Q(txn_type=REFUND)),
}


def _row(values, label, key=None) -> MoneyRow:
    return MoneyRow(label=label, currency=values["currency"], taken=money(values["taken"]),
                    refunded=money(values["refunded"]),
                    payments=values["payments"], refunds=values["refunds"], key=key)


def totals(filters: Filters) -> list[MoneyRow]:
    """One row per currency for the whole period. One query."""
    rows = (transactions(filters).values(currency=_currency()).annotate(**MONEY).order_by("currency"))
    return tip_figures.add_tips([_row(values, _("Total")) for values in rows], tip_figures.per_currency(filters))


def combine(rows: list[MoneyRow]) -> list[MoneyRow]:
    """Per-currency totals of already aggregated rows (a handful of rows: no second pass over the ledger)."""
    result: dict[str, MoneyRow] = {}
    for row in rows:
        total = result.setdefault(row.currency, MoneyRow(_("Total"), row.currency))
        total.taken += row.taken
        total.refunded += row.refunded
        total.payments += row.payments
        total.refunds += row.refunds
        total.tips += row.tips
    return [result[currency] for currency in sorted(result)]


def over_time(filters: Filters, fill=True) -> list[MoneyRow]:
    """One row per day/week/month (local dates) and currency; empty periods as zero rows when ``fill``. One query."""
    zone = filters.period.tzinfo
    truncate = TRUNCATE[filters.interval]
    rows = (transactions(filters).annotate(bucket=truncate("date_created", tzinfo=zone))
            .values("bucket", currency=_currency()).annotate(**MONEY).order_by("bucket", "currency"))
    found = {(values["bucket"].astimezone(zone).date(), values["currency"]): values for values in rows}
    currencies = sorted({currency for _, currency in found})
    keys = [(day, currency) for day in buckets(filters.period, filters.interval) for currency in currencies]
    if not fill:
        keys = [key for key in keys if key in found]
    return tip_figures.add_tips([
        _row(found[key], bucket_label(key[0], filters.interval), key[0]) if key in found
        else MoneyRow(bucket_label(key[0], filters.interval), key[1], key=key[0]) for key in keys],
        tip_figures.per_bucket(filters))


def by_dimension(filters: Filters, dimension: str) -> list[MoneyRow]:
    """One row per service or provider (``dimension``) and currency, largest net first. One query."""
    rows = (transactions(filters)
            .values(key=F(f"{BOOKING}__{dimension}_id"), name=F(f"{BOOKING}__{dimension}__name"),
                    currency=_currency())
            .annotate(orders=Count("source__order", distinct=True), **MONEY).order_by("name", "currency"))
    result = []
    for values in rows:
        row = _row(values, values["name"], values["key"])
        row.extra["orders"] = values["orders"]
        result.append(row)
    tip_figures.add_tips(result, tip_figures.per_dimension(filters, dimension))
    return sorted(result, key=lambda row: (-row.net, row.label))


def tips_by_provider(filters: Filters) -> list[MoneyRow]:
    """One row per provider and currency: the tips (``taken``) and how many (``payments``), largest first."""
    rows = [MoneyRow(label=values["name"], currency=values["currency"], taken=money(values["total"]),
                     payments=values["count"], key=values["key"]) for values in tip_figures.per_provider(filters)]
    return sorted(rows, key=lambda row: (-row.taken, row.label))


def bucket_label(day: date, interval: str) -> str:
    """The period a row covers, as the active language writes dates: "Mar 2027", "Week of 8 Mar 2027"."""
    if interval == "month":
        return short_date(day, "yMMM")
    if interval == "week":
        return _("Week of %(day)s") % {"day": short_date(day, "yMMMd")}
    return short_date(day, "yMMMEd")


def _currency():
    return F("source__currency")
