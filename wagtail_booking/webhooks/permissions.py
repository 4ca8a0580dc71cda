"""Who may see and change which business's webhooks: every query of the admin screens goes through here."""

from wagtail.models import Site

VIEW = ("wagtail_booking.view_webhookendpoint", "wagtail_booking.change_webhookendpoint")
ADD = "wagtail_booking.add_webhookendpoint"
CHANGE = "wagtail_booking.change_webhookendpoint"
DELETE = "wagtail_booking.delete_webhookendpoint"


def sites_for_user(user):
    """The sites (businesses) whose webhooks ``user`` may manage.

    For now every site, for anyone holding the webhook permissions; per-site staff permissions (issue 9) will
    narrow it here, and only here.
    """
    if not user.is_authenticated:
        return Site.objects.none()
    return Site.objects.all()


def can_view(user) -> bool:
    return any(user.has_perm(p) for p in VIEW)
