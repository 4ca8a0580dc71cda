"""What was sent to clients by SMS, who opted out, and which reminders went out (so none goes twice)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsMessage(models.Model):
    """One text message; its status only ever moves forward (Twilio's callbacks arrive out of order)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Undelivered")
        FAILED = "failed", _("Failed")

    # Later states win; equal ranks (delivered/undelivered/failed) are final.
    RANK = {"queued": 0, "accepted": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3}

    booking = models.ForeignKey("wagtail_booking.Booking", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="sms_messages")
    # The business the text is sent for: its booking's, or (a waitlist offer, which has no booking yet) its
    # entry's. Whether texts are on, the status callback's host and the SMS reports go by it.
    site = models.ForeignKey("wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    kind = models.CharField(max_length=40)
    to = models.CharField(max_length=20)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    provider_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    error_code = models.CharField(max_length=20, blank=True)
    error_message = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=5, null=True, blank=True)
    price_unit = models.CharField(max_length=3, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("text message")

    def __str__(self):
        return f"{self.kind} to {self.to} ({self.status})"


class SmsOptOut(models.Model):
    """A phone number that replied STOP (or that the carrier reports as opted out)."""

    phone = models.CharField(max_length=20, unique=True)
    opted_out = models.BooleanField(default=True)
    reason = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def is_opted_out(cls, phone) -> bool:
        return cls.objects.filter(phone=phone, opted_out=True).exists()


class ReminderSent(models.Model):
    """A reminder that went out: the unique row is what stops a second worker sending it again."""

    booking = models.ForeignKey("wagtail_booking.Booking", on_delete=models.CASCADE, related_name="reminders_sent")
    lead_minutes = models.PositiveIntegerField()
    start = models.DateTimeField(help_text=_("The appointment time the reminder was for."))
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booking", "lead_minutes", "start"],
                                               name="wagtail_booking_reminder_once")]


class AgendaSent(models.Model):
    """A provider's daily agenda for one local day: the unique row is what lets it go out once that day."""

    provider = models.ForeignKey("wagtail_booking.Provider", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text=_("The day of the agenda, in the provider's time zone."))
    appointments = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="wagtail_booking_agenda_once")]
