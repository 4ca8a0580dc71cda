"""Calendar sync in the Wagtail admin: the providers and their calendar connections, and a Calendars page per
provider to connect accounts of every configured kind, sync, disconnect, and choose calendars.

Seeing the pages needs ``view_provider`` or ``change_provider``; every action needs ``change_provider``. Staff see
the providers of the businesses they work in; another business's provider or connection is a 404 on every URL
naming it.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem

from ..businesses import visible_to
from ..formats import when
from ..snippets.models import BusyBlock, Provider
from . import connect as connecting
from .admin_forms import CalendarChoiceForm
from .backends import available_kinds, backend_class, configured, label_of
from .feed import feed_path, reset_feed
from .models import CalendarConnection, ConnectedCalendar
from .tasks import calendar_sync_task

logger = logging.getLogger(__name__)

VIEW_PERMISSIONS = ("wagtail_booking.view_provider", "wagtail_booking.change_provider")
CHANGE_PERMISSION = "wagtail_booking.change_provider"
SESSION_STATE = "wagtail_booking_calendar_oauth_state"


def can_view(user) -> bool:
    return any(user.has_perm(p) for p in VIEW_PERMISSIONS)


def _require(request, change=False):
    if not (request.user.has_perm(CHANGE_PERMISSION) if change else can_view(request.user)):
        raise PermissionDenied


def _staff(request):
    """The user's businesses' staff: rooms and equipment have no calendars to connect."""
    return visible_to(Provider.objects.filter(kind=Provider.Kind.STAFF), request.user)


def _provider(request, provider_id):
    return get_object_or_404(_staff(request), pk=provider_id)


def _connection(request, provider_id, pk):
    rows = visible_to(CalendarConnection.objects.select_related("provider"), request.user, "provider__site")
    return get_object_or_404(rows, provider_id=provider_id, pk=pk)


def _callback_uri(request) -> str:
    return request.build_absolute_uri(reverse("wagtail_booking_calendar_callback"))


def _back(provider_id):
    return redirect("wagtail_booking_calendar_provider", provider_id)


def index(request):
    _require(request)
    providers = _staff(request).select_related("calendar_feed").order_by("name")
    connections = {}
    rows = CalendarConnection.objects.filter(provider__in=providers).exclude(
        status=CalendarConnection.Status.PENDING, credentials="").select_related("provider")
    for c in rows.order_by("created_at", "pk"):
        connections.setdefault(c.provider_id, []).append(_connection_row(c))
    chosen = {c.provider_id: c for c in ConnectedCalendar.objects.filter(provider__in=providers,
                                                                        receives_bookings=True)}
    rows = [{"provider": p, "connections": connections.get(p.pk, []), "booking_calendar": chosen.get(p.pk),
             "feed_url": _feed_url(request, p)} for p in providers]
    return TemplateResponse(request, "wagtail_booking/admin/calendar_sync_index.html", {
        "page_title": _("Calendar sync"), "header_icon": "date", "rows": rows,
        "can_change": request.user.has_perm(CHANGE_PERMISSION)})


def _feed_url(request, provider) -> str:
    feed = getattr(provider, "calendar_feed", None)
    return request.build_absolute_uri(feed_path(feed)) if feed else ""


def _last_sync(connection: CalendarConnection) -> str:
    if connection.last_synced_at:
        return when(connection.last_synced_at, connection.provider.timezone)
    # Just connected: the first sync is queued (it runs in the Huey worker, usually within seconds).
    return _("First sync under way") if connection.is_connected else _("Never")


def _connection_row(connection: CalendarConnection) -> dict:
    return {"connection": connection, "label": label_of(connection.kind), "last_sync": _last_sync(connection),
            "blocks": BusyBlock.objects.filter(connected_calendar__connection=connection).count()}


def provider_calendars(request, provider_id):
    """The Calendars page of one provider: its connections, Connect buttons, and the calendar choice."""
    _require(request)
    provider = _provider(request, provider_id)
    form = CalendarChoiceForm.for_provider(provider, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require(request, change=True)
        if form.is_valid():
            form.save()
            _queue_syncs(provider.calendar_connections.filter(status=CalendarConnection.Status.CONNECTED))
            messages.success(request, _("Calendar choice saved; a sync was queued."))
            return _back(provider.pk)
    # A sign-in still on the service's consent screen (or abandoned there) is not a connection yet.
    connections = (provider.calendar_connections.select_related("provider").order_by("created_at", "pk")
                   .exclude(status=CalendarConnection.Status.PENDING, credentials=""))
    kinds = [{"kind": cls.kind, "label": cls.label, "uses_oauth": cls.uses_oauth,
              "problem": cls.setup_problem(cls_options(cls.kind))} for cls in available_kinds()]
    return TemplateResponse(request, "wagtail_booking/admin/calendar_sync_provider.html", {
        "page_title": _("Calendars of %(provider)s") % {"provider": provider}, "header_icon": "date",
        "provider": provider, "connections": [_connection_row(c) for c in connections], "kinds": kinds,
        "form": form, "can_change": request.user.has_perm(CHANGE_PERMISSION),
        "has_calendars": bool(form.calendars), "booking_calendar_chosen": bool(form.initial["receives_bookings"])})


def cls_options(kind) -> dict:
    return configured().get(kind, {}).get("OPTIONS") or {}


def connect(request, provider_id, kind):
    """POST for OAuth kinds (off to the consent screen); GET shows, POST checks the login form of other kinds."""
    _require(request, change=True)
    provider = _provider(request, provider_id)
    cls = backend_class(kind)
    if cls is None:
        raise Http404("No calendar backend of this kind is configured.")
    problem = cls.setup_problem(cls_options(kind))
    if problem:
        messages.error(request, problem)
        return _back(provider.pk)
    if cls.uses_oauth:
        if request.method != "POST":
            return _back(provider.pk)
        reconnecting = _reconnecting(request, provider, kind)
        url, state = connecting.start_oauth(provider, kind, _callback_uri(request), reconnecting)
        request.session[SESSION_STATE] = state
        return redirect(url)
    form = cls.connect_form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = connecting.connect_with_form(provider, kind, form.cleaned_data)
        except connecting.ConnectError as error:
            form.add_error(None, str(error))
        else:
            return _connected(request, connection)
    return TemplateResponse(request, "wagtail_booking/admin/calendar_sync_connect.html", {
        "page_title": _("Connect %(kind)s for %(provider)s") % {"kind": cls.label, "provider": provider},
        "header_icon": "date", "form": form, "provider": provider})


def _reconnecting(request, provider, kind):
    pk = request.POST.get("connection", "")
    return (provider.calendar_connections.filter(kind=kind, pk=pk).first() if pk.isdigit() else None)


def _connected(request, connection):
    _queue_syncs([connection])
    messages.success(request, _("%(kind)s connected for %(provider)s. Choose which calendars count as busy.")
                     % {"kind": label_of(connection.kind), "provider": connection.provider})
    return _back(connection.provider_id)


def callback(request):
    """The service sends the owner back here with ``code`` and ``state`` (or ``error`` when they said no). One
    address for every OAuth kind: the state names the connection (Google's registered redirect URI stays valid)."""
    _require(request, change=True)
    state = request.GET.get("state", "")
    if request.GET.get("error"):
        messages.error(request, _("The calendar was not connected (%(error)s). Click Connect to try again.")
                       % {"error": request.GET["error"]})
        connecting.cancel_oauth(state, visible_to(CalendarConnection.objects.all(), request.user, "provider__site"))
        return redirect("wagtail_booking_calendar_sync")
    if not state or request.session.pop(SESSION_STATE, None) != state:
        messages.error(request, _("This sign-in was started in another browser session. Click Connect again."))
        return redirect("wagtail_booking_calendar_sync")
    try:
        connection = connecting.finish_oauth(state, _callback_uri(request), request.build_absolute_uri())
    except connecting.ConnectError as error:
        messages.error(request, str(error))
        return redirect("wagtail_booking_calendar_sync")
    return _connected(request, connection)


@require_POST
def disconnect(request, provider_id, pk):
    _require(request, change=True)
    connection = _connection(request, provider_id, pk)
    held_bookings = connection.calendars.filter(receives_bookings=True).exists()
    connecting.disconnect(connection)
    messages.success(request, _("%(kind)s %(account)s disconnected from %(provider)s; its busy times were removed.")
                     % {"kind": label_of(connection.kind), "account": connection.account,
                        "provider": connection.provider})
    if held_bookings:
        messages.warning(request, _("Bookings are no longer written to any calendar: choose one below."))
    return _back(provider_id)


@require_POST
def sync_now(request, provider_id, pk):
    _require(request, change=True)
    connection = _connection(request, provider_id, pk)
    if not connection.is_connected:
        messages.error(request, _("This connection is not working; click Reconnect first."))
    else:
        _queue_syncs([connection])
        messages.success(request, _("A sync of %(account)s was queued.") % {"account": connection.account})
    return _back(provider_id)


@require_POST
def new_feed(request, provider_id):
    _require(request, change=True)
    reset_feed(_provider(request, provider_id))
    messages.success(request, _("A new feed address was made; earlier addresses no longer work."))
    return redirect("wagtail_booking_calendar_sync")


def _queue_syncs(connections):
    for connection in connections:
        try:
            calendar_sync_task(connection.pk)
        except Exception:
            logger.exception("Could not queue a sync of calendar connection %s", connection.pk)


def urlpatterns():
    base = "booking/calendar-sync/"
    return [
        path(base, index, name="wagtail_booking_calendar_sync"),
        path(f"{base}callback/", callback, name="wagtail_booking_calendar_callback"),
        path(f"{base}<int:provider_id>/", provider_calendars, name="wagtail_booking_calendar_provider"),
        path(f"{base}<int:provider_id>/connect/<slug:kind>/", connect, name="wagtail_booking_calendar_connect"),
        path(f"{base}<int:provider_id>/connections/<int:pk>/sync/", sync_now, name="wagtail_booking_calendar_sync_now"),
        path(f"{base}<int:provider_id>/connections/<int:pk>/disconnect/", disconnect,
             name="wagtail_booking_calendar_disconnect"),
        path(f"{base}<int:provider_id>/feed/", new_feed, name="wagtail_booking_calendar_feed"),
    ]


class CalendarSyncMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view(request.user)


def menu_item():
    return CalendarSyncMenuItem(gettext_lazy("Calendar sync"), reverse("wagtail_booking_calendar_sync"),
                                icon_name="date", order=207)
