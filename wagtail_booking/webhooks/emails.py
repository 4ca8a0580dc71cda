"""The one email webhooks send: to the business owner when an endpoint was disabled after failing for days."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from ..conf import booking_settings
from ..site_settings import BusinessSettings, site_base_url
from .delivery import describe_schedule
from .models import WebhookEndpoint


def owner_addresses(endpoint: WebhookEndpoint) -> list[str]:
    """The business's contact email; when it has none, the active superusers' addresses."""
    contact = BusinessSettings.for_site(endpoint.site).contact_email
    if contact:
        return [contact]
    return sorted(set(get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
                      .values_list("email", flat=True)))


def send_disabled_email(endpoint: WebhookEndpoint) -> int:
    recipients = owner_addresses(endpoint)
    if not recipients:
        return 0
    name = BusinessSettings.for_site(endpoint.site).display_name()
    link = site_base_url().rstrip("/") + reverse("wagtail_booking_webhook", args=[endpoint.pk])
    body = (f"Hello,\n\nthe webhook endpoint {endpoint.url} of {name} has been disabled: every delivery to it "
            f"failed for {describe_schedule()}.\n\nLast problem: {endpoint.disabled_reason}\n\n"
            f"Nothing more is sent to it until you re-enable it. Events recorded meanwhile are kept; re-enabling "
            f"the endpoint sends those still waiting, and each delivery in the log can be replayed.\n\n"
            f"Open the endpoint: {link}\n")
    return send_mail(f"Webhook endpoint disabled: {endpoint.url}", body, booking_settings.from_email, recipients)
