"""Single-use links that open a client's bookings, and the addresses an Oscar account has proven it owns."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClientAccessLink(models.Model):
    """One emailed "my bookings" link. Only the SHA-256 of its token is stored; the token itself is a signature of
    the row's ``nonce`` (``links.link_token``), so the email task can rebuild it and a copy of the table alone
    opens nothing."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("email"))
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=15, blank=True, default="")  # of the email, as asked
    # Set when a signed-in customer asked to confirm their account's address: opening the link confirms it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")

    class Meta:
        verbose_name = _("client access link")
        indexes = [models.Index(fields=["site", "email", "created_at"])]

    def __str__(self):
        return f"{self.email} ({self.created_at:%Y-%m-%d %H:%M})"


class ConfirmedClientEmail(models.Model):
    """An address a customer account proved it reads (by opening a link sent to it): its bookings show in the
    account. Oscar does not verify addresses at registration, so the account's email alone proves nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("email"))
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("confirmed client email")
        constraints = [models.UniqueConstraint(fields=["user", "email"], name="wb_confirmed_email_unique")]

    def __str__(self):
        return self.email
