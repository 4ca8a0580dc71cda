"""Factories for rooms and equipment (providers of kind "resource") and their pools."""

import factory

from tests.factories.booking import ProviderFactory
from wagtail_booking.snippets.models import Provider
from wagtail_booking.snippets.resources import ResourcePool


class ResourceFactory(ProviderFactory):
    """A room open Mon-Fri 09:00-17:00 New York time unless given ``weekdays=[...]``."""

    name = factory.Sequence(lambda n: f"Room {n}")
    email = ""
    kind = Provider.Kind.RESOURCE


def pool_of(*rooms, name="Treatment rooms"):
    pool = ResourcePool.objects.create(name=name)
    pool.resources.set(rooms)
    pool.save()  # a ParentalManyToManyField is written when its parent is saved
    return pool
