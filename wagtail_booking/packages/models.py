"""Packages of sessions sold through the checkout, the credits each purchase gives, and their ledger."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from ..businesses import default_site_id
from ..site_settings import business_currency


class Package(models.Model):
    """A number of sessions of some services, sold at one price and valid for some months from the purchase."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    services = models.ManyToManyField("wagtail_booking.Service", related_name="packages",
                                      verbose_name=_("services it covers"))
    sessions = models.PositiveIntegerField(_("number of sessions"), default=3,
                                           validators=[MinValueValidator(1), MaxValueValidator(1000)])
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, blank=True,
                                help_text=_("Empty: the business's currency (Booking business details)."))
    validity_months = models.PositiveIntegerField(_("valid for (months)"), default=6,
                                                  validators=[MinValueValidator(1), MaxValueValidator(120)])
    on_sale = models.BooleanField(_("on sale"), default=True)

    panels = [FieldPanel("name"), FieldPanel("description"),
              FieldPanel("services", widget=forms.CheckboxSelectMultiple),
              FieldRowPanel([FieldPanel("sessions"), FieldPanel("price"), FieldPanel("currency")]),
              FieldRowPanel([FieldPanel("validity_months"), FieldPanel("on_sale")])]

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")

    def __str__(self):
        return self.name

    @property
    def price_currency(self) -> str:
        return self.currency or business_currency(self.site)

    @property
    def value_per_session(self) -> Decimal:
        return (self.price / self.sessions).quantize(Decimal("0.01"))


class CreditPurchase(models.Model):
    """What one bought package gives one client: ``sessions`` credits until ``expires_at``.

    The balance is the sum of the ledger; every change locks this row first (``credits.py``).
    ``code_hash`` is the SHA-256 of the code in the purchase email, the client's proof when not signed in.
    """

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="purchases")
    client_email = models.EmailField(_("client's email"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    order = models.ForeignKey("order.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order_line_id = models.PositiveIntegerField(null=True, blank=True)
    sessions = models.PositiveIntegerField()
    value_per_session = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    expires_at = models.DateTimeField()
    code_hash = models.CharField(max_length=64, db_index=True, blank=True)
    language = models.CharField(max_length=10, blank=True)  # what the purchase email is written in
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("package purchase")
        constraints = [models.UniqueConstraint(fields=["order", "order_line_id"], name="wb_one_purchase_per_line")]
        indexes = [models.Index(fields=["site", "client_email"])]

    def __str__(self):
        return f"{self.package} ({self.client_email})"

    @property
    def balance(self) -> int:
        return self.entries.aggregate(total=Sum("change"))["total"] or 0


class CreditEntry(models.Model):
    """One line of a purchase's ledger: +n granted or returned, -n used, revoked or expired."""

    class Kind(models.TextChoices):
        GRANTED = "granted", _("Granted")
        USED = "used", _("Used by a booking")
        RETURNED = "returned", _("Returned by a cancelled booking")
        REVOKED = "revoked", _("Revoked by staff")
        EXPIRED = "expired", _("Expired")

    purchase = models.ForeignKey(CreditPurchase, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    change = models.IntegerField()
    booking = models.ForeignKey("wagtail_booking.Booking", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="credit_entries")
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.change:+d}"
