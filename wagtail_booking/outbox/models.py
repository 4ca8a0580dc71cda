"""One row per side effect still to deliver (or delivered, kept for a while as the record of it)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(delivered_at__isnull=True, failed_at__isnull=True)


class OutboxMessage(models.Model):
    """A task to run with its arguments, recorded in the transaction that called for it."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    max_attempts = models.PositiveSmallIntegerField(default=1)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last time the message was handed to Huey (after the commit, or by the sweep).
    pushed_at = models.DateTimeField(null=True, blank=True)
    # While a worker runs the task, no other copy may start it.
    leased_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("queued side effect")
        indexes = [models.Index(fields=["pushed_at"], name="wb_outbox_pending",
                                condition=Q(delivered_at__isnull=True, failed_at__isnull=True))]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
