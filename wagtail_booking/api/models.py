"""API keys: how an integrator (a voice agent, a CRM) acts for one business through the public API."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """One business's key. Only its prefix (to tell keys apart) and the SHA-256 of the whole key are stored: the key
    itself is shown once, when it is created, and cannot be recovered."""

    class Scope(models.TextChoices):
        READ = "read", _("Read bookings")
        BOOK = "book", _("Make bookings")
        MANAGE = "manage", _("Cancel bookings")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("business"))
    name = models.CharField(_("name"), max_length=100, help_text=_("Who uses it, e.g. “Phone assistant”."))
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["revoked_at", "-created_at"]
        verbose_name = _("API key")

    def __str__(self):
        return f"{self.name} (wbk_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def scope_labels(self) -> list[str]:
        return [str(label) for value, label in self.Scope.choices if value in self.scopes]
