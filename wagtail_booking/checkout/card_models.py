"""Cards kept on file with the client's consent, and the fees charged to them."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..businesses import default_site_id


class SavedCard(models.Model):
    """A card Stripe keeps for a client (a Customer and its PaymentMethod); we keep Stripe's ids, brand and last 4.

    Made ``pending`` when the client ticks the consent box (the words they agreed to and when are kept), then
    ``active`` once Stripe saved the card (a SetupIntent, or the deposit's PaymentIntent with
    ``setup_future_usage``), or ``failed``.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the card")
        ACTIVE = "active", _("On file")
        FAILED = "failed", _("Not saved")
        # Kept only to charge the deposits of a series paid up front (checkout.series_upfront), then let go.
        SPENT = "spent", _("Used for the series' deposits, not kept")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    booking = models.ForeignKey("wagtail_booking.Booking", on_delete=models.PROTECT, related_name="saved_cards")
    client_email = models.EmailField(_("client email"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # The connected account the customer lives on ("" = the platform): fees are charged where the card was saved.
    stripe_account = models.CharField(max_length=255, blank=True, default="")
    customer_id = models.CharField(max_length=255, blank=True, default="")
    setup_intent_id = models.CharField(max_length=255, blank=True, default="")
    payment_method_id = models.CharField(max_length=255, blank=True, default="")
    brand = models.CharField(max_length=20, blank=True, default="")
    last4 = models.CharField(max_length=4, blank=True, default="")
    consent_at = models.DateTimeField(_("consent given at"))
    consent_text = models.TextField(_("consent wording"))
    problem = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved card")
        indexes = [models.Index(fields=["booking", "state"])]

    def __str__(self):
        return self.description or self.get_state_display()

    @property
    def description(self) -> str:
        """"Visa •••• 4242" (empty until Stripe told us)."""
        return " ".join(part for part in (self.brand.title(), f"•••• {self.last4}" if self.last4 else "") if part)


class FeeCharge(models.Model):
    """A late-cancellation or no-show fee charged to a booking's saved card: one per booking and reason.

    Its :class:`BookingPayment` (kind "fee") carries the PaymentIntent, the Oscar order and the state; every attempt
    confirms that same PaymentIntent, so a retry or a double click never charges twice.
    """

    class Reason(models.TextChoices):
        LATE_CANCELLATION = "late_cancellation", _("Late-cancellation fee")
        NO_SHOW = "no_show", _("No-show fee")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    booking = models.ForeignKey("wagtail_booking.Booking", on_delete=models.PROTECT, related_name="fee_charges")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3)
    saved_card = models.ForeignKey(SavedCard, on_delete=models.PROTECT, related_name="fee_charges")
    payment = models.OneToOneField("wagtail_booking.BookingPayment", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="fee_charge")
    attempts = models.PositiveIntegerField(default=0)
    automatic = models.BooleanField(default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fee charge")
        constraints = [models.UniqueConstraint(fields=["booking", "reason"], name="wb_one_fee_per_reason")]

    def __str__(self):
        return f"{self.get_reason_display()} {self.amount} {self.currency}"
