"""Connecting and disconnecting calendar accounts, of any kind.

OAuth kinds (Google, Microsoft): :func:`start_oauth` keeps the flow's ``state`` and PKCE verifier (encrypted) on a
pending :class:`CalendarConnection`, so :func:`finish_oauth` can finish it whichever process serves the callback.
Form kinds (CalDAV, iCal, dummy): :func:`connect_with_form` tries the login from the backend's form at once.
Connecting the same account again (after "reconnect needed") reuses its row, keeping its calendars and choices.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto
from .backends import get_backend
from .backends.base import CalendarError, ReconnectNeeded
from .engine import open_backend
from .models import CalendarConnection, ConnectedCalendar

logger = logging.getLogger(__name__)

# How long the owner has to finish the service's consent screen.
FLOW_LIFETIME = timedelta(minutes=15)


class ConnectError(Exception):
    """Connecting cannot finish; ``str(error)`` is written for the owner."""


def start_oauth(provider, kind: str, redirect_uri: str, connection: CalendarConnection | None = None):
    """Begin connecting ``provider`` to a ``kind`` account (or reconnecting ``connection``); returns (consent URL,
    state)."""
    url, state, verifier = get_backend(kind).authorization_url(redirect_uri)
    if connection is None:
        connection = CalendarConnection(provider=provider, kind=kind, status=CalendarConnection.Status.PENDING)
    connection.oauth_state, connection.oauth_verifier = state, crypto.encrypt(verifier)
    connection.oauth_started_at = timezone.now()
    connection.save()
    return url, state


def finish_oauth(state: str, redirect_uri: str, authorization_response: str) -> CalendarConnection:
    """Exchange the code for tokens. Raises :class:`ConnectError` for a stale, unknown or refused attempt."""
    with transaction.atomic():
        connection = (CalendarConnection.objects.select_for_update().filter(oauth_state=state)
                      .exclude(oauth_state="").first() if state else None)
        if connection is None:
            raise ConnectError(_("This sign-in link is unknown or was already used. Click Connect again."))
        if connection.oauth_started_at < timezone.now() - FLOW_LIFETIME:
            raise ConnectError(_("The sign-in took too long. Click Connect again."))
        verifier = crypto.decrypt(connection.oauth_verifier)
        connection.oauth_state, connection.oauth_verifier = "", ""
        connection.save(update_fields=["oauth_state", "oauth_verifier"])
    backend = get_backend(connection.kind)
    try:
        credentials = backend.finish_authorization(redirect_uri, state, verifier, authorization_response)
        account = backend.account_name()
    except CalendarError as error:
        _drop_if_new(connection)
        raise ConnectError(str(error)) from error
    return _connected(connection, crypto.encrypt(backend.credentials or credentials), account)


def connect_with_form(provider, kind: str, cleaned_data: dict) -> CalendarConnection:
    """Form kinds: try the login; raises :class:`ConnectError` with the service's sentence when it is refused."""
    backend = get_backend(kind)
    try:
        credentials = backend.check_login(cleaned_data)
        account = backend.account_name()
    except CalendarError as error:
        raise ConnectError(str(error)) from error
    same = CalendarConnection.objects.filter(provider=provider, kind=kind, account=account).first() if account else None
    connection = same or CalendarConnection(provider=provider, kind=kind)
    return _connected(connection, crypto.encrypt(backend.credentials or credentials), account)


def _connected(connection: CalendarConnection, credentials: str, account: str) -> CalendarConnection:
    """Mark connected. A second row for an account this provider already has is merged into the first."""
    existing = (CalendarConnection.objects.filter(provider_id=connection.provider_id, kind=connection.kind,
                                                  account=account).exclude(pk=connection.pk).first()
                if account else None)
    if existing is not None:
        if connection.pk:
            connection.delete()
        connection = existing
    connection.credentials, connection.account = credentials, account[:255]
    connection.status, connection.message = CalendarConnection.Status.CONNECTED, ""
    connection.connected_at = timezone.now()
    connection.save()
    return connection


def _drop_if_new(connection: CalendarConnection) -> None:
    if not connection.credentials:
        connection.delete()
    else:
        CalendarConnection.objects.filter(pk=connection.pk).update(status=CalendarConnection.Status.RECONNECT)


def cancel_oauth(state: str, queryset) -> None:
    """The owner said no on the consent screen: forget a new pending row (a reconnect keeps its old status)."""
    for connection in queryset.filter(oauth_state=state).exclude(oauth_state=""):
        _drop_if_new(connection)


def disconnect(connection: CalendarConnection) -> None:
    """Stop watches and revoke the grant (best effort), then forget the connection's calendars and busy blocks.
    The provider's other connections keep working; if this one held the calendar receiving bookings, none does
    until the owner chooses one."""
    from .push import stop_watches

    if connection.credentials:
        try:
            with open_backend(connection) as backend:
                stop_watches(backend, connection.calendars.exclude(watch_id=""))
                backend.revoke()
        except CalendarError as error:
            logger.info("Could not stop watches or revoke connection %s of provider %s: %s", connection.pk,
                        connection.provider_id, error)
    with transaction.atomic():
        ConnectedCalendar.objects.filter(connection=connection).delete()  # their busy blocks cascade
        CalendarConnection.objects.filter(pk=connection.pk).delete()


__all__ = ["ConnectError", "ReconnectNeeded", "cancel_oauth", "connect_with_form", "disconnect", "finish_oauth",
           "start_oauth"]
