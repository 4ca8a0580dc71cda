"""Payments for bookings, processed webhook events, businesses' Stripe accounts, cancellation policies."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from ..businesses import default_site_id
from ..scheduling import CancellationPolicy as PolicyRule
from ..scheduling import RefundTier
from ..scheduling.fees import FeePolicy, FeeRule

FEE_KINDS = [("none", _("No fee")), ("fixed", _("Fixed amount")), ("percent", _("Percentage of the price"))]


def _fee_kind(label):
    return models.CharField(label, max_length=10, choices=FEE_KINDS, default="none")


def _fee_value(label):
    return models.DecimalField(label, max_digits=10, decimal_places=2, default=Decimal("0"),
                               validators=[MinValueValidator(Decimal("0"))],
                               help_text=_("An amount in the service's currency, or a percentage (0-100)."))


class CancellationPolicy(ClusterableModel):
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    name = models.CharField(_("name"), max_length=200)
    fee = models.DecimalField(_("fixed fee kept on every client cancellation"), max_digits=10, decimal_places=2,
                              default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    # Charged to a card the client agreed to keep on file (see checkout/fees.py), less any deposit kept.
    late_cancellation_fee_kind = _fee_kind(_("late-cancellation fee"))
    late_cancellation_fee_value = _fee_value(_("late-cancellation fee amount"))
    no_show_fee_kind = _fee_kind(_("no-show fee"))
    no_show_fee_value = _fee_value(_("no-show fee amount"))

    panels = [FieldPanel("name"), FieldPanel("fee"),
              MultiFieldPanel([FieldRowPanel([FieldPanel("late_cancellation_fee_kind"),
                                              FieldPanel("late_cancellation_fee_value")]),
                               FieldRowPanel([FieldPanel("no_show_fee_kind"), FieldPanel("no_show_fee_value")])],
                              heading=_("Fees charged to a card on file"),
                              help_text=_("Clients are asked to agree to keep a card on file only when a fee is "
                                          "set. A late-cancellation fee applies to cancellations after the last "
                                          "refund deadline.")),
              InlinePanel("tiers", label=_("Refund tier"),
                          help_text=_("For example: 48 hours or more: 100%; 24 hours or more: 50%. Less notice than "
                                      "every tier refunds nothing; no tiers refunds everything."))]

    class Meta:
        verbose_name = _("cancellation policy")
        verbose_name_plural = _("cancellation policies")

    def __str__(self):
        return self.name

    def as_rule(self) -> PolicyRule:
        return PolicyRule(tuple(RefundTier(t.hours_before, t.refund_percent) for t in self.tiers.all()), self.fee)

    def fee_policy(self) -> FeePolicy:
        return FeePolicy(FeeRule(self.late_cancellation_fee_kind, self.late_cancellation_fee_value),
                         FeeRule(self.no_show_fee_kind, self.no_show_fee_value))

    def clean(self):
        super().clean()
        names = ("late_cancellation_fee", "no_show_fee")
        errors = {f"{name}_value": _("A percentage is at most 100.") for name in names
                  if getattr(self, f"{name}_kind") == "percent" and getattr(self, f"{name}_value") > 100}
        if errors:
            raise ValidationError(errors)


class CancellationTier(Orderable):
    policy = ParentalKey(CancellationPolicy, related_name="tiers", on_delete=models.CASCADE)
    hours_before = models.PositiveIntegerField(_("at least this many hours before the start"))
    refund_percent = models.DecimalField(
        _("refund (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])

    panels = [FieldRowPanel([FieldPanel("hours_before"), FieldPanel("refund_percent")])]


class BookingPayment(models.Model):
    """One Stripe PaymentIntent for one basket; the facade keeps it in step with Stripe and Oscar.

    ``kind`` says what it pays: a booking's deposit (the payment its cancellation settles), a booking's balance
    after the visit, a fee charged to a card on file, or a purchase with no booking (a package, a gift card).
    """

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        BALANCE = "balance", _("Balance")
        FEE = "fee", _("Fee")
        PURCHASE = "purchase", _("Purchase")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the card")
        AUTHORISED = "authorised", _("Authorised, not captured")
        CAPTURED = "captured", _("Paid")
        RELEASED = "released", _("Authorisation released")
        REFUNDED = "refunded", _("Refunded")
        FAILED = "failed", _("Failed")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DEPOSIT)
    # Empty for a purchase (a package, a gift card): what it bought is on its Oscar order.
    booking = models.ForeignKey("wagtail_booking.Booking", on_delete=models.PROTECT, related_name="payments",
                                null=True, blank=True)
    basket_id = models.PositiveIntegerField()
    order_number = models.CharField(max_length=128)
    order = models.OneToOneField("order.Order", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="booking_payment")
    payment_intent_id = models.CharField(max_length=255, unique=True)
    # The connected account the PaymentIntent lives on ("" = the platform's own account); every later call about
    # it (capture, cancel, refund, re-fetch) is made on this account.
    stripe_account = models.CharField(max_length=255, blank=True, default="")
    # The platform's fee on this payment (direct charges on a connected account), before any refund.
    application_fee = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    capture_manual = models.BooleanField(default=False)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    amount_captured = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    email = models.EmailField(blank=True)
    # The card as Stripe reported it when the payment went through, so pages and emails can say where a refund
    # goes without asking Stripe: a brand code ("visa") and the last four digits.
    card_brand = models.CharField(max_length=20, blank=True, default="")
    card_last4 = models.CharField(max_length=4, blank=True, default="")
    attempt = models.PositiveIntegerField(default=1)
    problem = models.TextField(blank=True, help_text=_("What went wrong last, in words a person can act on."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["booking", "state"])]

    def __str__(self):
        return f"{self.payment_intent_id} ({self.get_state_display()})"

    @property
    def refundable(self) -> Decimal:
        return self.amount_captured - self.amount_refunded


class ProcessedStripeEvent(models.Model):
    """Webhook events already handled, so a redelivered event changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)


class StripeAccount(models.Model):
    """A business's own Stripe account (Connect): its deposits are charged on it, less the platform's fee.

    One per Wagtail Site. The status flags are copies of Stripe's, refreshed when the owner comes back from
    onboarding and on every ``account.updated`` Connect event. The fee fields are set by the operator (superusers);
    empty ones fall back to ``STRIPE_CONNECT_FEE_PERCENT`` / ``STRIPE_CONNECT_FEE_FIXED``.
    """

    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard (the business has its own Stripe Dashboard)")
        EXPRESS = "express", _("Express (a simpler Stripe-hosted dashboard)")

    site = models.OneToOneField("wagtailcore.Site", on_delete=models.PROTECT, related_name="+")
    account_id = models.CharField(_("Stripe account"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STANDARD)
    charges_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    disabled_reason = models.CharField(max_length=255, blank=True)
    fee_percent = models.DecimalField(
        _("platform fee (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Empty: the default from the settings."))
    fee_fixed = models.DecimalField(
        _("platform fee (fixed, per payment)"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))], help_text=_("Empty: the default from the settings."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Stripe account")
        permissions = [("manage_payments_account", "Can connect the business's Stripe account")]

    def __str__(self):
        return f"{self.account_id} ({self.site})"
