"""A gift card, its ledger, and the holds that reserve part of its balance for a basket being paid."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..businesses import default_site_id
from . import codes


class GiftCard(models.Model):
    """Stored value a holder spends by typing its code. ``balance`` changes only through ``ledger`` (row lock).

    No expiry unless ``expires_at`` is set (``GIFT_CARD_VALID_DAYS``, None by default: many places forbid gift
    cards that expire). The code itself is not stored: ``code_digest`` (HMAC) finds the card, ``last4`` shows it.
    """

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    last4 = models.CharField(_("code ends with"), max_length=4, editable=False)
    currency = models.CharField(_("currency"), max_length=3)
    initial_value = models.DecimalField(_("initial value"), max_digits=12, decimal_places=2)
    balance = models.DecimalField(_("balance"), max_digits=12, decimal_places=2)
    from_name = models.CharField(_("from"), max_length=200, blank=True)
    to_name = models.CharField(_("to"), max_length=200, blank=True)
    message = models.TextField(_("message"), max_length=1000, blank=True)
    recipient_email = models.EmailField(_("recipient email"), blank=True)
    buyer_email = models.EmailField(_("buyer email"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    order = models.ForeignKey("order.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("bought with order"))
    order_line = models.OneToOneField("order.Line", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("gift card")
        verbose_name_plural = _("gift cards")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="giftcard_balance_not_negative")]

    def __str__(self):
        return codes.masked(self.last4)

    @property
    def masked_code(self) -> str:
        return codes.masked(self.last4)

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class GiftCardEntry(models.Model):
    """One change of a card's balance. ``amount`` is signed: + adds to the balance, - takes from it."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REDEEMED = "redeemed", _("Redeemed")
        RETURNED = "returned", _("Returned (refund)")
        ADJUSTED = "adjusted", _("Adjusted by staff")

    card = models.ForeignKey(GiftCard, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(max_digits=12, decimal_places=2)
    order_number = models.CharField(max_length=128, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("gift card entry")
        verbose_name_plural = _("gift card entries")

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.card.currency}"


class GiftCardHold(models.Model):
    """Part of a card's balance promised to a basket on the payment page, until the order is placed (it becomes a
    redemption), the holder removes it, or it expires (the sweep deletes it)."""

    card = models.ForeignKey(GiftCard, on_delete=models.CASCADE, related_name="holds")
    basket_id = models.PositiveIntegerField(db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["card", "basket_id"], name="giftcard_one_hold_per_basket"),
                       models.CheckConstraint(condition=Q(amount__gt=Decimal("0")), name="giftcard_hold_positive")]

    def __str__(self):
        return f"{self.card} {self.amount} for basket {self.basket_id}"
