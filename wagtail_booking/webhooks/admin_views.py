"""Webhooks in the Wagtail admin: endpoints per business, their secret and delivery log, replay and re-enable.

Seeing them needs ``view_webhookendpoint`` (or ``change_``); adding needs ``add_``; changing, rotating the secret,
re-enabling and replaying need ``change_webhookendpoint``. Every query is limited to ``sites_for_user``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem

from ..conf import booking_settings
from ..encryption import InvalidToken
from ..outbox import enqueue
from ..site_settings import BusinessSettings
from . import delivery as deliveries
from .events import EVENT_TYPES
from .forms import EndpointForm
from .models import WebhookDelivery, WebhookEndpoint
from .permissions import ADD, CHANGE, can_view, sites_for_user
from .tasks import deliver_webhook_task, push


def _require(request, permission=None):
    if not (request.user.has_perm(permission) if permission else can_view(request.user)):
        raise PermissionDenied


def _endpoints(request):
    return WebhookEndpoint.objects.filter(site__in=sites_for_user(request.user)).select_related("site")


def _site_name(site):
    return BusinessSettings.for_site(site).display_name()


def index(request):
    _require(request)
    rows = [{"endpoint": e, "business": _site_name(e.site), "events": _event_names(e),
             "last": e.deliveries.order_by("-created_at", "-pk").first()}
            for e in _endpoints(request).order_by("site__site_name", "url")]
    return TemplateResponse(request, "wagtail_booking/admin/webhooks_index.html", {
        "page_title": _("Webhooks"), "header_icon": "link", "rows": rows,
        "can_add": request.user.has_perm(ADD), "zone": booking_settings.default_timezone})


def _event_names(endpoint):
    return ", ".join(endpoint.events) if endpoint.events else _("All events")


def add(request):
    _require(request, ADD)
    form = EndpointForm(request.POST or None, sites=sites_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        endpoint = form.save()
        messages.success(request, _("Endpoint added. Copy its signing secret into the receiving system."))
        return redirect("wagtail_booking_webhook", endpoint.pk)
    return TemplateResponse(request, "wagtail_booking/admin/webhook_form.html", {
        "page_title": _("Add a webhook endpoint"), "header_icon": "link", "form": form})


def edit(request, endpoint_id):
    _require(request, CHANGE)
    endpoint = get_object_or_404(_endpoints(request), pk=endpoint_id)
    form = EndpointForm(request.POST or None, instance=endpoint, sites=sites_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Endpoint saved."))
        return redirect("wagtail_booking_webhook", endpoint.pk)
    return TemplateResponse(request, "wagtail_booking/admin/webhook_form.html", {
        "page_title": _("Edit webhook endpoint"), "header_icon": "link", "form": form, "endpoint": endpoint})


def detail(request, endpoint_id):
    _require(request)
    endpoint = get_object_or_404(_endpoints(request), pk=endpoint_id)
    log = endpoint.deliveries.select_related("booking").order_by("-created_at", "-pk")
    page = Paginator(log, 50).get_page(request.GET.get("p"))
    return TemplateResponse(request, "wagtail_booking/admin/webhook_detail.html", {
        "page_title": str(endpoint), "header_icon": "link", "endpoint": endpoint, "page": page,
        "secret": _readable_secret(endpoint),
        "business": _site_name(endpoint.site), "events": _event_names(endpoint), "event_labels": EVENT_TYPES,
        "can_change": request.user.has_perm(CHANGE), "zone": booking_settings.default_timezone})


def _readable_secret(endpoint):
    try:
        return endpoint.secret
    except InvalidToken:  # encrypted under a key that is no longer configured
        return ""


@require_POST
def rotate(request, endpoint_id):
    _require(request, CHANGE)
    with transaction.atomic():
        endpoint = get_object_or_404(_endpoints(request).select_for_update(of=("self",)), pk=endpoint_id)
        endpoint.new_secret()
        endpoint.save(update_fields=["secret_encrypted"])
    messages.success(request, _("A new signing secret was made; deliveries from now on are signed with it. "
                                "Put it into the receiving system."))
    return redirect("wagtail_booking_webhook", endpoint.pk)


@require_POST
def enable(request, endpoint_id):
    _require(request, CHANGE)
    endpoint = get_object_or_404(_endpoints(request), pk=endpoint_id)
    waiting = deliveries.enable(endpoint)
    for delivery_id in waiting:
        push(delivery_id)
    messages.success(request, _("Endpoint enabled; %(count)s waiting deliveries are on their way.")
                     % {"count": len(waiting)})
    return redirect("wagtail_booking_webhook", endpoint.pk)


@require_POST
def replay(request, endpoint_id, delivery_id):
    _require(request, CHANGE)
    endpoint = get_object_or_404(_endpoints(request), pk=endpoint_id)
    original = get_object_or_404(WebhookDelivery, pk=delivery_id, endpoint=endpoint)
    if not endpoint.active:
        messages.error(request, _("This endpoint is disabled; enable it before replaying deliveries."))
        return redirect("wagtail_booking_webhook", endpoint.pk)
    with transaction.atomic():
        fresh = deliveries.replay(original)
        enqueue(deliver_webhook_task, fresh.pk)
    messages.success(request, _("The %(event)s event was queued again (same event id).")
                     % {"event": original.event_type})
    return redirect("wagtail_booking_webhook", endpoint.pk)


def urlpatterns():
    return [
        path("booking/webhooks/", index, name="wagtail_booking_webhooks"),
        path("booking/webhooks/add/", add, name="wagtail_booking_webhook_add"),
        path("booking/webhooks/<int:endpoint_id>/", detail, name="wagtail_booking_webhook"),
        path("booking/webhooks/<int:endpoint_id>/edit/", edit, name="wagtail_booking_webhook_edit"),
        path("booking/webhooks/<int:endpoint_id>/rotate/", rotate, name="wagtail_booking_webhook_rotate"),
        path("booking/webhooks/<int:endpoint_id>/enable/", enable, name="wagtail_booking_webhook_enable"),
        path("booking/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay/", replay,
             name="wagtail_booking_webhook_replay"),
    ]


class WebhooksMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view(request.user)


def menu_item():
    return WebhooksMenuItem(gettext_lazy("Webhooks"), reverse("wagtail_booking_webhooks"), icon_name="link",
                            order=208)
