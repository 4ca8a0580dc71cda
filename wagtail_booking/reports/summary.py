"""Every kind of money of a period in one row per currency: what was earned, what was received in advance, and how
both tie to Stripe. The *Money summary* report, its CSV export and the revenue report PDF show these rows.

How each kind of money counts (as an accountant would; docs/howto/reports.md has the same table):

* **card** (taken, refunded, net): Stripe's captures and refunds for appointments: deposits, balances after the
  visit (tips included) and late-cancellation / no-show fees (``revenue.transactions``);
* **tips**: the tips in that card money, net of the part of a refund that reached them (``tips``): the
  providers' money, not the business's;
* **gift cards spent**: what gift cards paid towards appointments (deposits, balances, fees), less what
  cancellations put back on the cards (the gift card ledger). Revenue now: the card was a liability until then;
* **credits used**: package credits used by bookings, less credits returned by cancellations, each valued at its
  purchase's price per session (the deferred revenue report's *Used*). Revenue now;
* **credits expired**: credits written off at expiry, at the same value: the business keeps that money without
  giving the session (revenue, as the deferred revenue report's *Expired*);
* **revenue** = card net − tips + gift cards spent + credits used + credits expired: what the business earned;
* **sold in advance** (taken, refunded, net): Stripe's captures and refunds for gift cards and packages. Not revenue
  but a liability (gift card liability report) or deferred revenue (deferred revenue report) until spent or used;
* **Stripe net** = card net + sold in advance net: to the cent, Stripe's captures less its refunds in the period.

Gift cards that buy a package or another gift card move money from one liability to another: they count in neither
*gift cards spent* nor *sold in advance* (Stripe took nothing). A gift card past its date keeps its balance in the
liability report (nothing is written off). Currencies are never added together.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Sum, Value, When
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from ..checkout.models import BookingPayment
from ..formats import money as money_text
from ..giftcards import selling
from ..giftcards.models import GiftCardEntry
from ..packages import catalogue
from ..packages.models import CreditEntry
from . import revenue

OrderLine = get_model("order", "Line")
ZERO = Decimal("0.00")
# Product classes of money received in advance: an order holding one of them pays no appointment.
ADVANCE_CLASSES = (catalogue.PRODUCT_CLASS_SLUG, selling.PRODUCT_CLASS_SLUG)


@dataclass
class SummaryRow:
    currency: str
    card_taken: Decimal = ZERO
    card_refunded: Decimal = ZERO
    tips: Decimal = ZERO
    gift_cards_spent: Decimal = ZERO
    credits_used: Decimal = ZERO
    credits_expired: Decimal = ZERO
    advance_taken: Decimal = ZERO
    advance_refunded: Decimal = ZERO

    @property
    def card_net(self) -> Decimal:
        return self.card_taken - self.card_refunded

    @property
    def revenue(self) -> Decimal:
        return self.card_net - self.tips + self.gift_cards_spent + self.credits_used + self.credits_expired

    @property
    def advance_net(self) -> Decimal:
        return self.advance_taken - self.advance_refunded

    @property
    def stripe_net(self) -> Decimal:
        return self.card_net + self.advance_net

    def __getattr__(self, name):  # card_taken_money, revenue_money, ... as people read them
        if name.endswith("_money"):
            return money_text(getattr(self, name.removesuffix("_money")), self.currency)
        raise AttributeError(name)


def summary(filters: revenue.Filters) -> list[SummaryRow]:
    """One row per currency with any money in the period: five queries, whatever the number of payments."""
    rows: dict[str, SummaryRow] = defaultdict(lambda: SummaryRow(""))
    for total in revenue.totals(filters):
        row = rows[total.currency]
        row.card_taken, row.card_refunded, row.tips = total.taken, total.refunded, total.tips
    for currency, (taken, refunded) in sold_in_advance(filters).items():
        rows[currency].advance_taken, rows[currency].advance_refunded = taken, refunded
    for currency, spent in gift_cards_spent(filters).items():
        rows[currency].gift_cards_spent = spent
    for (currency, kind), value in credits_written(filters).items():
        setattr(rows[currency], "credits_expired" if kind == CreditEntry.Kind.EXPIRED else "credits_used", value)
    for currency, row in rows.items():
        row.currency = currency
    return [rows[currency] for currency in sorted(rows)]


def sold_in_advance(filters) -> dict:
    """{currency: (taken, refunded)}: Stripe's money for purchases (gift cards, packages) in the period."""
    purchases = filters.for_sites(BookingPayment.objects.filter(kind=BookingPayment.Kind.PURCHASE,
                                                                order__isnull=False))
    found = (revenue.card_transactions(filters).filter(source__order_id__in=purchases.values("order_id"))
             .values(currency=F("source__currency")).annotate(**{k: revenue.MONEY[k] for k in ("taken", "refunded")}))
    return {values["currency"]: (revenue.money(values["taken"]), revenue.money(values["refunded"]))
            for values in found}


def gift_cards_spent(filters) -> dict:
    """{currency: amount}: gift cards' payments for appointments in the period, less what went back to them."""
    advance_orders = OrderLine.objects.filter(product__product_class__slug__in=ADVANCE_CLASSES).values(
        "order__number")
    entries = (filters.for_sites(GiftCardEntry.objects.all(), "card__site")
               .filter(created_at__gte=filters.period.start, created_at__lt=filters.period.end,
                       kind__in=(GiftCardEntry.Kind.REDEEMED, GiftCardEntry.Kind.RETURNED))
               .exclude(order_number__in=advance_orders))
    return {values["card__currency"]: revenue.money(-values["total"])
            for values in entries.values("card__currency").annotate(total=Sum("amount"))}


def credits_written(filters) -> dict:
    """{(currency, "used" or "expired"): value}: credits used in the period less those returned, and credits
    expired, at their purchase's price per session."""
    worth = ExpressionWrapper(F("change") * F("purchase__value_per_session"),
                              output_field=DecimalField(max_digits=14, decimal_places=2))
    entries = (filters.for_sites(CreditEntry.objects.all(), "purchase__site")
               .filter(kind__in=(CreditEntry.Kind.USED, CreditEntry.Kind.RETURNED, CreditEntry.Kind.EXPIRED),
                       created_at__gte=filters.period.start, created_at__lt=filters.period.end)
               .annotate(figure=Case(When(kind=CreditEntry.Kind.EXPIRED, then=Value(CreditEntry.Kind.EXPIRED.value)),
                                     default=Value(CreditEntry.Kind.USED.value))))
    return {(values["purchase__currency"], values["figure"]): revenue.money(-values["total"])
            for values in entries.values("purchase__currency", "figure").annotate(total=Sum(worth))}


@dataclass(frozen=True)
class SummaryLine:
    """One figure of one currency, as the *Money summary* report lists them."""

    label: str
    currency: str
    amount: Decimal
    key: str

    @property
    def amount_money(self) -> str:
        return money_text(self.amount, self.currency)


def lines(rows: list[SummaryRow]) -> list[SummaryLine]:
    """Each row's figures in ``LABELS``' order, currency after currency."""
    return [SummaryLine(str(label), row.currency, getattr(row, name), name) for row in rows
            for name, label in LABELS.items()]


LABELS = {"card_taken": _("Card: taken for appointments"), "card_refunded": _("Card: refunded"),
          "card_net": _("Card: net"), "tips": _("Tips (the providers')"),
          "gift_cards_spent": _("Paid by gift cards (less returned)"),
          "credits_used": _("Package credits used (less returned)"),
          "credits_expired": _("Package credits expired"), "revenue": _("Revenue"),
          "advance_taken": _("Sold in advance: gift cards and packages"),
          "advance_refunded": _("Sold in advance: refunded"), "advance_net": _("Sold in advance: net"),
          "stripe_net": _("Stripe: taken less refunded")}
