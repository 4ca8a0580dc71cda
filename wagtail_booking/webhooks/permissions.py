"""Who may see and change which business's webhooks: every query of the admin screens goes through here."""

from .. import businesses

VIEW = ("wagtail_booking.view_webhookendpoint", "wagtail_booking.change_webhookendpoint")
ADD = "wagtail_booking.add_webhookendpoint"
CHANGE = "wagtail_booking.change_webhookendpoint"
DELETE = "wagtail_booking.delete_webhookendpoint"


def sites_for_user(user):
    """The sites (businesses) whose webhooks ``user`` may manage: the businesses they work in."""
    return businesses.sites_for_user(user)


def can_view(user) -> bool:
    return any(user.has_perm(p) for p in VIEW)
