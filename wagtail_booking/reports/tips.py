"""Tips clients added to their balance, per provider, and the tip part of the revenue reports' money.

A refunded balance payment gives back the balance first and the tip last (as ``balances.services.balance_paid``
reckons what was paid): the tip counts net of the part of the refunds that reached it, i.e. of what was refunded
beyond the payment's non-tip part, on the date the tip was paid.

A tip is counted on the local date it was paid (``Tip.created_at`` in the report's zone), in its currency, for the
booking's provider and service. The money of a tip is also in the balance payment's Oscar ``Debit`` (the client
paid one amount), so the revenue reports count it in "Taken" and show it again in "Tips"; their "Revenue" column
is Net less Tips: what the business earned, the tips being the providers'.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Sum, Value
from django.db.models.functions import Greatest, Least, TruncDay, TruncMonth, TruncWeek

from ..checkout.balances.models import Tip

TRUNCATE = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=12, decimal_places=2)
# The part of the payment's refunds that reached the tip: what was refunded beyond the payment's other money.
REFUNDED = Least(F("amount"), F("payment__amount_refunded"),
                 Greatest(Value(ZERO, output_field=_MONEY),
                          F("payment__amount_refunded") - F("payment__amount_captured") + F("amount"),
                          output_field=_MONEY), output_field=_MONEY)
NET = F("amount") - REFUNDED


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def tips(filters):
    """Tips paid in the period, for the businesses, service and provider the report covers."""
    found = filters.for_sites(Tip.objects.filter(created_at__gte=filters.period.start,
                                                 created_at__lt=filters.period.end))
    if filters.service_id:
        found = found.filter(booking__service_id=filters.service_id)
    if filters.provider_id:
        found = found.filter(provider_id=filters.provider_id)
    return found


def per_provider(filters) -> list[dict]:
    """One dict per provider and currency: key, name, currency, total, count. One query."""
    return list(tips(filters).values("currency", key=F("provider_id"), name=F("provider__name"))
                .annotate(total=Sum(NET, default=ZERO), count=Count("id")).order_by("name", "currency"))


def per_dimension(filters, dimension: str) -> dict:
    """{(provider or service id, currency): tips} for the revenue by provider / by service reports."""
    path = "provider_id" if dimension == "provider" else f"booking__{dimension}_id"
    return {(values["key"], values["currency"]): money(values["total"])
            for values in tips(filters).values("currency", key=F(path)).annotate(total=Sum(NET))}


def per_currency(filters) -> dict:
    """{(None, currency): tips} for a report's totals (rows whose key is None)."""
    return {(None, values["currency"]): money(values["total"])
            for values in tips(filters).values("currency").annotate(total=Sum(NET)).order_by("currency")}


def per_bucket(filters) -> dict:
    """{(local date of the day/week/month, currency): tips} for the revenue over time report."""
    zone = filters.period.tzinfo
    rows = (tips(filters).annotate(bucket=TRUNCATE[filters.interval]("created_at", tzinfo=zone))
            .values("bucket", "currency").annotate(total=Sum(NET)))
    return {(values["bucket"].astimezone(zone).date(), values["currency"]): money(values["total"])
            for values in rows}


def add_tips(rows: list, found: dict) -> list:
    """Set each row's ``tips`` from ``found`` (keyed by (row.key, currency)); returns the rows."""
    for row in rows:
        row.tips = found.get((row.key, row.currency), ZERO)
    return rows
