"""Rooms, chairs and equipment: booked beside a staff member, one from a pool.

A resource is a :class:`Provider` row of kind "resource", so it has the same weekly hours, date overrides and time
off, edited on its own snippet. A service that names a pool needs one free member of it for every booking; the
booking holds it in ``Booking.resource`` (a class's session in ``ClassSession.resource``, once for all its seats),
where database constraints forbid two live holders of the same resource at once (see docs/concepts.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel

from ..businesses import default_site_id
from .forms import ResourceForm, ResourcePoolForm
from .models import Provider
from .panels import HoursGridPanel


class ResourceManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind="resource")


class Resource(Provider):
    """The rooms and equipment of the business: providers of kind "resource", listed and edited apart."""

    objects = ResourceManager()

    base_form_class = ResourceForm
    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldPanel("timezone"), FieldPanel("active")],
                        heading=_("Room or equipment")),
        HoursGridPanel(heading=_("Weekly hours"),
                       help_text=_("When it can be booked. Several shifts a day split the day; hours with dates "
                                   "apply between them only.")),
        InlinePanel("date_overrides", heading=_("Date overrides"), label=_("Override")),
        InlinePanel("time_off", heading=_("Closures"), label=_("Closure")),
    ]

    class Meta:
        proxy = True
        ordering = ["name"]
        verbose_name = _("resource")

    def save(self, *args, **kwargs):
        self.kind = Provider.Kind.RESOURCE
        super().save(*args, **kwargs)


class ResourcePool(ClusterableModel):
    """Interchangeable resources (the treatment rooms, the two chairs): a booking takes any one free member."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.PROTECT, related_name="+", default=default_site_id,
                             verbose_name=_("business"))
    name = models.CharField(_("name"), max_length=200)
    resources = ParentalManyToManyField("wagtail_booking.Provider", related_name="pools", blank=True,
                                        limit_choices_to={"kind": "resource"}, verbose_name=_("resources"))

    base_form_class = ResourcePoolForm
    panels = [FieldPanel("name"), FieldPanel("resources")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("resource pool")

    def __str__(self):
        return self.name
