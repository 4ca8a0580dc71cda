"""Stored revenue-report PDFs, invoices and credit notes, and the counters that number them without gaps."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..businesses import default_site_id


class RevenueReport(models.Model):
    """A PDF revenue report for a period, built by a Huey task. Carries the "view revenue reports" permission."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    pdf = models.BinaryField(blank=True, default=b"", editable=False)
    problem = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    monthly = models.BooleanField(default=False, help_text=_("Made by the monthly task and emailed to the owners."))
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("revenue report")
        default_permissions = ()
        permissions = [("view_revenue_reports", "Can view revenue reports")]
        constraints = [models.UniqueConstraint(fields=["site", "first_day", "last_day"],
                                               condition=models.Q(monthly=True),
                                               name="wb_one_monthly_report_per_period")]

    def __str__(self):
        return f"Revenue {self.first_day}..{self.last_day}"

    @property
    def filename(self):
        return f"revenue-{self.first_day:%Y-%m-%d}-{self.last_day:%Y-%m-%d}.pdf"


class DocumentCounter(models.Model):
    """The last number used per document series; locked while a number is taken (see ``invoices.next_number``)."""

    series = models.CharField(max_length=20, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.series}: {self.last_value}"


class Invoice(models.Model):
    """An invoice (receipt) for a paid booking order or purchase, or a credit note for one refund of it."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             editable=False, verbose_name=_("business"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    sequence = models.PositiveBigIntegerField(editable=False)
    # Numbered per business: two businesses each have their own gapless series.
    number = models.CharField(_("number"), max_length=32, editable=False)
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="booking_invoices")
    # Empty for a purchase's receipt (a gift card, a package): it pays no appointment.
    booking = models.ForeignKey("wagtail_booking.Booking", on_delete=models.PROTECT, related_name="invoices",
                                null=True, blank=True)
    # The Oscar refund transaction a credit note is for; unique so a retried task issues it once.
    refund_transaction = models.OneToOneField("payment.Transaction", null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="credit_note")
    credited_invoice = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="credit_notes")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    pdf = models.BinaryField(blank=True, default=b"", editable=False)

    class Meta:
        ordering = ["kind", "sequence"]
        verbose_name = _("invoice")
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "sequence"], name="wb_invoice_sequence_unique"),
            models.UniqueConstraint(fields=["site", "number"], name="wb_invoice_number_unique"),
            models.UniqueConstraint(fields=["order"], condition=models.Q(kind="invoice"),
                                    name="wb_one_invoice_per_order"),
        ]

    def __str__(self):
        return self.number

    @property
    def filename(self):
        return f"{self.number}.pdf"
