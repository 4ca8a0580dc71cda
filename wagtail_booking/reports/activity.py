"""Bookings, not money: cancellations and no-shows, clients, and how busy providers were. Aggregated in SQL.

All three count bookings whose appointment starts in the period (local dates in the site's time zone) and that
were really booked: confirmed, completed, no-show or cancelled. Holds, expired holds, requests awaiting approval and
declined requests are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, IntegerField, Max, Min, Q, Sum
from django.utils.translation import gettext as _

from ..bookings.models import Booking
from ..formats import money as money_text
from ..formats import percent
from .revenue import BOOKING, DEBIT, REFUND, Filters, Transaction, money

COUNTED = ("confirmed", "completed", "no_show", "cancelled")


def rate(part: int, whole: int) -> Decimal:
    """``part`` as a percentage of ``whole``, to one decimal place (0 when there is nothing to divide)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def bookings(filters: Filters):
    queryset = filters.for_sites(Booking.objects.filter(start__gte=filters.period.start,
                                                        start__lt=filters.period.end, status__in=COUNTED))
    if filters.service_id:
        queryset = queryset.filter(service_id=filters.service_id)
    if filters.provider_id:
        queryset = queryset.filter(provider_id=filters.provider_id)
    return queryset


@dataclass
class CancellationRow:
    label: str
    booked: int
    cancelled: int
    late_cancelled: int
    no_shows: int

    @property
    def cancellation_rate(self):
        return rate(self.cancelled, self.booked)

    @property
    def late_cancellation_rate(self):
        return rate(self.late_cancelled, self.booked)

    @property
    def no_show_rate(self):
        return rate(self.no_shows, self.booked)

    @property
    def cancellation_percent(self) -> str:
        return percent(self.cancellation_rate)

    @property
    def late_cancellation_percent(self) -> str:
        return percent(self.late_cancellation_rate)

    @property
    def no_show_percent(self) -> str:
        return percent(self.no_show_rate)


def cancellations(filters: Filters) -> list[CancellationRow]:
    """Per service: bookings, cancellations, late cancellations (after the service's cut-off), no-shows. One query.

    A cancellation is late when it was made less than the service's cancellation cut-off before the start.
    """
    # Typed as a plain integer: SQLite multiplies a duration only by an IntegerField, not a PositiveIntegerField.
    hours = ExpressionWrapper(F("service__cancellation_cutoff_hours"), output_field=IntegerField())
    cutoff = ExpressionWrapper(hours * timedelta(hours=1), output_field=DurationField())
    rows = (bookings(filters).values("service__name")
            .annotate(booked=Count("id"), cancelled=Count("id", filter=Q(status="cancelled")),
                      late_cancelled=Count("id", filter=Q(status="cancelled", cancelled_at__gt=F("start") - cutoff)),
                      no_shows=Count("id", filter=Q(status="no_show")))
            .order_by("service__name"))
    result = [CancellationRow(values["service__name"], values["booked"], values["cancelled"],
                              values["late_cancelled"], values["no_shows"]) for values in rows]
    if len(result) > 1:
        result.append(CancellationRow(_("All services"), *(sum(getattr(row, name) for row in result) for name in
                                                        ("booked", "cancelled", "late_cancelled", "no_shows"))))
    return result


@dataclass
class ClientRow:
    email: str
    name: str
    bookings: int
    all_time: int
    first_start: object
    last_start: object
    lifetime_value: str = ""

    @property
    def repeat(self) -> bool:
        return self.all_time > 1


def clients(filters: Filters) -> list[ClientRow]:
    """Clients with bookings in the period: bookings then and ever, and lifetime value (net paid, all time).

    Three queries whatever the number of clients: bookings in the period, all-time counts, all-time money.
    """
    rows = list(bookings(filters).values("client_email").annotate(
        name=Max("client_name"), count=Count("id"), first=Min("start"), last=Max("start")).order_by("-count",
                                                                                                     "client_email"))
    emails = [values["client_email"] for values in rows]
    # "Ever" and lifetime value count this business's bookings only, never another's of the same client.
    all_time = dict(filters.for_sites(Booking.objects.filter(client_email__in=emails, status__in=COUNTED))
                    .values("client_email")
                    .annotate(count=Count("id")).values_list("client_email", "count").order_by())
    ledger = (filters.for_sites(Transaction.objects.filter(txn_type__in=(DEBIT, REFUND),
                                                           **{f"{BOOKING}__client_email__in": emails}),
                                f"{BOOKING}__site")
              .values(email=F(f"{BOOKING}__client_email"), currency=F("source__currency"))
              .annotate(taken=Sum("amount", filter=Q(txn_type=DEBIT), default=Decimal("0")),
                        refunded=Sum("amount", filter=Q(txn_type=REFUND), default=Decimal("0")))
              .order_by("email", "currency"))
    value = {}
    for values in ledger:
        net = money(values["taken"] - values["refunded"])
        value.setdefault(values["email"], []).append(money_text(net, values["currency"]))
    nothing = money_text(0, getattr(settings, "OSCAR_DEFAULT_CURRENCY", None))
    return [ClientRow(values["client_email"], values["name"], values["count"], all_time.get(values["client_email"], 0),
                      values["first"], values["last"], ", ".join(value.get(values["client_email"], [])) or nothing)
            for values in rows]


def repeat_rate(rows: list[ClientRow]) -> Decimal:
    """Share of the period's clients who have booked more than once (ever)."""
    return rate(sum(1 for row in rows if row.repeat), len(rows))
