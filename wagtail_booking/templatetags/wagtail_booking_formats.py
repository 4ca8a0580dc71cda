"""``{% load wagtail_booking_formats %}``: ``{{ amount|money:currency }}`` and ``{{ moment|when:zone }}``, the one
way money and times are written on every page, email and admin screen (see ``wagtail_booking.formats``)."""

from django import template

from .. import formats

register = template.Library()


@register.filter
def money(amount, currency=None):
    """``{{ payment.amount|money:payment.currency }}`` → ``$18.00`` (in the active language)."""
    return formats.money(amount, currency)


@register.filter
def when(moment, zone_name=None):
    """``{{ booking.start|when:booking.client_timezone }}`` → ``Tue 9 Mar 2027, 14:00 (Europe/London)``."""
    return formats.when(moment, zone_name)


@register.filter
def iso_local(moment, zone_name=None):
    return formats.iso_local(moment, zone_name)
