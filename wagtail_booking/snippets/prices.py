"""What a service costs in each currency it is sold in, and the tax rates a business charges.

A service's own ``price`` is in its business's currency (``site_settings.business_currency``); ``other_prices``
rows add prices in other currencies. An amount is never converted from one currency to another: a service with no
price in a currency cannot be booked in it (:class:`NotPricedIn`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable

from ..businesses import default_site_id
from ..formats import currency_choices, currency_digits
from ..scheduling import DepositRule, deposit_amount
from ..scheduling.policies import FIXED
from ..scheduling.tax import split_tax
from ..site_settings import business_currency, prices_include_tax


class TaxRate(models.Model):
    """A tax a business charges on some services (e.g. "HST", 13%); chosen on each service it applies to."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    name = models.CharField(_("name"), max_length=100, help_text=_("As invoices show it, e.g. VAT, GST, HST."))
    percent = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3,
                                  validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("percent")])]

    class Meta:
        ordering = ["name"]
        verbose_name = _("tax rate")

    def __str__(self):
        return self.label()

    def label(self) -> str:
        """"HST 13%": the rate as an invoice line shows it."""
        return f"{self.name} {self.percent.normalize():f}%"


class ServicePrice(Orderable):
    """The service's price in a currency other than its business's."""

    service = ParentalKey("wagtail_booking.Service", related_name="other_prices", on_delete=models.CASCADE)
    currency = models.CharField(_("currency"), max_length=3, choices=currency_choices)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0"))])
    deposit_amount = models.DecimalField(
        _("fixed deposit in this currency"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Only for a service whose payment at booking is a fixed amount; a percentage applies as is."))

    panels = [FieldRowPanel([FieldPanel("currency"), FieldPanel("price"), FieldPanel("deposit_amount")])]

    class Meta(Orderable.Meta):
        verbose_name = _("price in another currency")
        verbose_name_plural = _("prices in other currencies")
        constraints = [models.UniqueConstraint(fields=["service", "currency"],
                                               name="wagtail_booking_service_price_currency_unique")]


class NotPricedIn(ValueError):
    """The service has no price in the currency asked for."""

    def __init__(self, service, currency):
        self.currency = currency
        self.currencies = currencies_of(service)
        super().__init__(f"{service} has no price in {currency} (priced in {', '.join(self.currencies)}).")


@dataclass(frozen=True)
class PriceIn:
    """A service's price and deposit in one currency."""

    currency: str
    price: Decimal
    deposit: Decimal


def currencies_of(service) -> list[str]:
    """The currencies ``service`` is priced in: its business's first, then the others by code."""
    own = business_currency(service.site)
    others = sorted({row.currency.upper() for row in service.other_prices.all()} - {own})
    return [own, *others]


def price_in(service, currency: str | None = None) -> PriceIn:
    """``service``'s price and deposit in ``currency`` (its business's when not given); :class:`NotPricedIn`."""
    own = business_currency(service.site)
    currency = (currency or own).upper()
    if currency == own:
        return PriceIn(currency, Decimal(str(service.price or 0)), round_to(service.deposit_due, currency))
    row = next((row for row in service.other_prices.all() if row.currency.upper() == currency), None)
    if row is None:
        raise NotPricedIn(service, currency)
    rule = service.deposit_rule
    if rule.kind == FIXED:
        rule = DepositRule(FIXED, row.deposit_amount if row.deposit_amount is not None else Decimal("0"))
    return PriceIn(currency, row.price, round_to(deposit_amount(row.price, rule), currency))


def with_tax(service, amount: Decimal, currency: str) -> Decimal:
    """``amount`` of ``service`` (a price or a deposit as the service lists it) as the client pays it.

    When the business adds tax on top of its prices, that is the amount plus the service's tax, rounded as the
    checkout's strategy rounds an Oscar line (``split_tax``, per line, half-up), so the deposit shown is the one
    charged to the cent. Prices that include tax, and services without a rate, are paid as listed.
    """
    rate = service.tax_rate if service.tax_rate_id else None
    if rate is None or not amount or prices_include_tax(service.site):
        return amount
    net, tax = split_tax(Decimal(amount), rate.percent, False, currency_digits(currency))
    return net + tax


def round_to(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up to what ``currency`` is paid in (whole yen; cents of a dollar)."""
    return amount.quantize(Decimal(1).scaleb(-currency_digits(currency)), rounding=ROUND_HALF_UP)


def check_other_prices(site, deposit_kind, rows) -> list[str]:
    """Errors of a service's other prices: a currency twice or its business's own, a fixed deposit missing."""
    own, seen, errors = business_currency(site), set(), []
    for row in rows:
        code = (row.currency or "").upper()
        if code == own:
            errors.append(_("%(currency)s is the business's currency: its price is the service's price above.")
                          % {"currency": code})
        elif code in seen:
            errors.append(_("%(currency)s is given twice.") % {"currency": code})
        elif deposit_kind == FIXED and row.deposit_amount is None:
            errors.append(_("Give the fixed deposit in %(currency)s.") % {"currency": code})
        seen.add(code)
    return errors
