"""Calendar sync in the Wagtail admin: one row per provider with its Google connection, and the actions on it.

Seeing the page needs ``view_provider`` or ``change_provider``; connecting, choosing calendars, syncing and
disconnecting need ``change_provider``. Staff see the providers of the businesses they work in; another business's
provider is a 404 on every URL naming it.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem

from ..businesses import visible_to
from ..snippets.models import BusyBlock, Provider
from . import oauth, sdk
from .feed import feed_path, reset_feed
from .models import GoogleConnection
from .sdk import gateway
from .sync import forget_calendar
from .tasks import google_sync_task

logger = logging.getLogger(__name__)

VIEW_PERMISSIONS = ("wagtail_booking.view_provider", "wagtail_booking.change_provider")
CHANGE_PERMISSION = "wagtail_booking.change_provider"
SESSION_STATE = "wagtail_booking_google_oauth_state"


def can_view(user) -> bool:
    return any(user.has_perm(p) for p in VIEW_PERMISSIONS)


def _require(request, change=False):
    if not (request.user.has_perm(CHANGE_PERMISSION) if change else can_view(request.user)):
        raise PermissionDenied


def _provider(request, provider_id):
    return get_object_or_404(visible_to(Provider.objects.all(), request.user), pk=provider_id)


def _connection(request, provider_id):
    rows = visible_to(GoogleConnection.objects.select_related("provider"), request.user, "provider__site")
    return get_object_or_404(rows, provider_id=provider_id)


def _callback_uri(request) -> str:
    return request.build_absolute_uri(reverse("wagtail_booking_google_callback"))


def index(request):
    _require(request)
    providers = (visible_to(Provider.objects.all(), request.user).select_related("google_connection", "calendar_feed")
                 .annotate(google_blocks=Count("busy_blocks", filter=Q(busy_blocks__source=BusyBlock.Source.GOOGLE)))
                 .order_by("name"))
    rows = []
    for provider in providers:
        connection = getattr(provider, "google_connection", None)
        feed = getattr(provider, "calendar_feed", None)
        rows.append({"provider": provider, "connection": connection,
                     "calendars": list(connection.calendars.filter(busy=True)) if connection else [],
                     "feed_url": request.build_absolute_uri(feed_path(feed)) if feed else ""})
    configured = sdk.available() and bool(gateway.client_config()["web"]["client_id"])
    return TemplateResponse(request, "wagtail_booking/admin/google_sync_index.html", {
        "page_title": _("Calendar sync"), "header_icon": "date", "rows": rows, "configured": configured,
        "can_change": request.user.has_perm(CHANGE_PERMISSION)})


@require_POST
def connect(request, provider_id):
    _require(request, change=True)
    provider = _provider(request, provider_id)
    if not sdk.available():
        messages.error(request, _("Google Calendar needs its libraries: pip install 'wagtail-booking[google]'."))
        return redirect("wagtail_booking_google")
    if not gateway.client_config()["web"]["client_id"]:
        messages.error(request, _("Google sign-in is not set up: GOOGLE_OAUTH_CLIENT_ID and "
                                  "GOOGLE_OAUTH_CLIENT_SECRET are missing from the settings."))
        return redirect("wagtail_booking_google")
    url, state = oauth.start(provider, _callback_uri(request))
    request.session[SESSION_STATE] = state
    return redirect(url)


def callback(request):
    """Google sends the owner back here with ``code`` and ``state`` (or ``error`` when they said no)."""
    _require(request, change=True)
    state = request.GET.get("state", "")
    if request.GET.get("error"):
        messages.error(request, _("Google did not connect the calendar (%(error)s). Click Connect to try again.")
                       % {"error": request.GET["error"]})
        pending = visible_to(GoogleConnection.objects.all(), request.user, "provider__site")
        pending.filter(oauth_state=state, status=GoogleConnection.Status.PENDING).exclude(oauth_state="").update(
            status=GoogleConnection.Status.DISCONNECTED, oauth_state="")
        return redirect("wagtail_booking_google")
    if not state or request.session.pop(SESSION_STATE, None) != state:
        messages.error(request, _("This sign-in was started in another browser session. Click Connect again."))
        return redirect("wagtail_booking_google")
    try:
        connection = oauth.finish(state, _callback_uri(request), request.build_absolute_uri())
    except oauth.ConnectError as error:
        messages.error(request, str(error))
        return redirect("wagtail_booking_google")
    _queue_sync(connection)
    messages.success(request, _("Google Calendar connected for %(provider)s. Choose which calendars count as busy.")
                     % {"provider": connection.provider})
    return redirect("wagtail_booking_google_calendars", connection.provider_id)


@require_POST
def disconnect(request, provider_id):
    _require(request, change=True)
    connection = _connection(request, provider_id)
    oauth.disconnect(connection)
    messages.success(request, _("Google Calendar disconnected from %(provider)s; its busy times were removed.")
                     % {"provider": connection.provider})
    return redirect("wagtail_booking_google")


@require_POST
def sync_now(request, provider_id):
    _require(request, change=True)
    connection = _connection(request, provider_id)
    if not connection.is_connected:
        messages.error(request, _("%(provider)s is not connected to Google Calendar; click Connect first.")
                       % {"provider": connection.provider})
    else:
        _queue_sync(connection)
        messages.success(request, _("A sync of %(provider)s was queued.") % {"provider": connection.provider})
    return redirect("wagtail_booking_google")


@require_POST
def new_feed(request, provider_id):
    _require(request, change=True)
    reset_feed(_provider(request, provider_id))
    messages.success(request, _("A new feed address was made; earlier addresses no longer work."))
    return redirect("wagtail_booking_google")


class CalendarChoiceForm(forms.Form):
    busy = forms.MultipleChoiceField(label=_("Calendars that count as busy"), required=False,
                                     widget=forms.CheckboxSelectMultiple)
    write_calendar_id = forms.ChoiceField(label=_("Write bookings to"))

    def __init__(self, *args, calendars=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.calendar_id, str(c)) for c in calendars]
        self.fields["busy"].choices = choices
        self.fields["write_calendar_id"].choices = [("primary", _("The main calendar"))] + choices


def calendars(request, provider_id):
    _require(request, change=True)
    connection = _connection(request, provider_id)
    rows = list(connection.calendars.all())
    form = CalendarChoiceForm(request.POST or None, calendars=rows, initial={
        "busy": [c.calendar_id for c in rows if c.busy], "write_calendar_id": connection.write_calendar_id})
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["busy"])
        for calendar in rows:
            if calendar.busy and calendar.calendar_id not in chosen:
                forget_calendar(calendar)
            calendar.busy = calendar.calendar_id in chosen
            calendar.save(update_fields=["busy"])
        connection.write_calendar_id = form.cleaned_data["write_calendar_id"]
        connection.save(update_fields=["write_calendar_id"])
        _queue_sync(connection)
        messages.success(request, _("Calendar choice saved; a sync was queued."))
        return redirect("wagtail_booking_google")
    return TemplateResponse(request, "wagtail_booking/admin/google_calendars.html", {
        "page_title": _("Calendars of %(provider)s") % {"provider": connection.provider}, "header_icon": "date",
        "form": form, "connection": connection})


def _queue_sync(connection):
    try:
        google_sync_task(connection.pk)
    except Exception:
        logger.exception("Could not queue a Google sync of provider %s", connection.provider_id)


def urlpatterns():
    return [
        path("booking/calendar-sync/", index, name="wagtail_booking_google"),
        path("booking/calendar-sync/callback/", callback, name="wagtail_booking_google_callback"),
        path("booking/calendar-sync/<int:provider_id>/connect/", connect, name="wagtail_booking_google_connect"),
        path("booking/calendar-sync/<int:provider_id>/calendars/", calendars,
             name="wagtail_booking_google_calendars"),
        path("booking/calendar-sync/<int:provider_id>/sync/", sync_now, name="wagtail_booking_google_sync"),
        path("booking/calendar-sync/<int:provider_id>/disconnect/", disconnect,
             name="wagtail_booking_google_disconnect"),
        path("booking/calendar-sync/<int:provider_id>/feed/", new_feed, name="wagtail_booking_google_feed"),
    ]


class CalendarSyncMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view(request.user)


def menu_item():
    return CalendarSyncMenuItem(gettext_lazy("Calendar sync"), reverse("wagtail_booking_google"), icon_name="date",
                                order=207)
