"""The admin's "Embed" page for a service: the iframe snippet to paste into another website.

Shown to staff who may edit or view services, for the services of the businesses they work in only.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.admin.widgets import Button

from ..businesses import visible_to
from ..site_settings import site_base_url
from ..snippets.models import Service

PERMISSIONS = ("wagtail_booking.change_service", "wagtail_booking.view_service")


def may_embed(user) -> bool:
    return any(user.has_perm(permission) for permission in PERMISSIONS)


def snippet(service, provider=None) -> str:
    base = site_base_url(service.site).rstrip("/")
    src = base + reverse("wagtail_booking:embed", args=[service.pk]) + (f"?provider={provider.pk}" if provider else "")
    static = settings.STATIC_URL if "://" in settings.STATIC_URL else base + settings.STATIC_URL
    title = _("Book %(service)s") % {"service": service.name}
    return (f'<iframe src="{escape(src)}" title="{escape(title)}" data-wagtail-booking loading="lazy" '
            f'style="width:100%;min-height:480px;border:0"></iframe>\n'
            f'<script src="{escape(static)}wagtail_booking/embed.js" async></script>')


def embed_code(request, service_id):
    if not may_embed(request.user):
        raise PermissionDenied
    service = get_object_or_404(visible_to(Service.objects.select_related("site"), request.user), pk=service_id)
    codes = [(_("Any provider"), snippet(service))]
    codes += [(provider.name, snippet(service, provider)) for provider in service.providers.filter(active=True)]
    return TemplateResponse(request, "wagtail_booking/admin/embed_code.html", {
        "service": service, "codes": codes, "page_title": _("Embed %(service)s") % {"service": service.name},
        "header_title": _("Embed “%(service)s”") % {"service": service.name}})


def urlpatterns():
    return [path("booking/embed/<int:service_id>/", embed_code, name="wagtail_booking_embed_code")]


def listing_buttons(snippet_object, user):
    if isinstance(snippet_object, Service) and may_embed(user):
        yield Button(_("Embed"), reverse("wagtail_booking_embed_code", args=[snippet_object.pk]), icon_name="code",
                     priority=60)
