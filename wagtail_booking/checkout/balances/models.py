"""What staff add to a booking's bill after the visit, and the tips clients give with their balance."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ...businesses import default_site_id


class AddOn(models.Model):
    """Something added to the bill after the visit, e.g. "Aromatherapy oil" for 8.00, in the booking's currency."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    booking = models.ForeignKey("wagtail_booking.Booking", on_delete=models.CASCADE, related_name="add_ons")
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("add-on")

    def __str__(self):
        return f"{self.description} {self.amount} {self.currency}"


class Tip(models.Model):
    """A tip paid with a balance, for the booking's provider. One per balance payment (its tip line)."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    booking = models.ForeignKey("wagtail_booking.Booking", on_delete=models.PROTECT, related_name="tips")
    provider = models.ForeignKey("wagtail_booking.Provider", on_delete=models.PROTECT, related_name="tips")
    payment = models.OneToOneField("wagtail_booking.BookingPayment", on_delete=models.PROTECT, related_name="tip")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("tip")

    def __str__(self):
        return f"{self.amount} {self.currency}"
