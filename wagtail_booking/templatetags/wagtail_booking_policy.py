"""``{% booking_policy %}``: the cancellation policy in words for a booking (its dates) or a service (in general)."""

from django import template

from ..checkout.policy_words import policy_lines
from ..packages.credits import paid_by_credit
from ..site_settings import business_currency

register = template.Library()


@register.simple_tag
def booking_policy(booking=None, service=None):
    """The policy's sentences: for ``booking`` with its deadlines in the client's zone, else for ``service`` in
    general terms ("up to 48 hours before"). An empty list when there is neither. A booking paid with a package
    credit hears about its credit, not a deposit."""
    if booking is not None and getattr(booking, "service_id", None):
        credit = booking.pk is not None and paid_by_credit(booking) is not None
        return policy_lines(booking.service, booking.client_timezone, booking.start, booking.currency,
                            paid=booking.deposit_due > 0, credit=credit)
    if service is not None and getattr(service, "pk", None):
        return policy_lines(service, currency=business_currency(service.site),
                            paid=service.deposit_kind != "none")
    return []
