"""Connecting a provider to Google: the OAuth web flow, stored credentials, disconnecting, "reconnect needed".

The flow's ``state`` and PKCE ``code_verifier`` are kept on the provider's :class:`GoogleConnection` row (the
verifier encrypted), so the callback can rebuild the flow whichever process serves it.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..snippets.models import BusyBlock, Provider
from . import crypto
from .models import GoogleConnection, SyncedCalendar
from .sdk import gateway

logger = logging.getLogger(__name__)

# How long the owner has to finish Google's consent screen.
FLOW_LIFETIME = timedelta(minutes=15)
RECONNECT_MESSAGE = _("Google no longer accepts this connection (access was revoked or has expired). Busy times "
                      "from Google are kept as they were at the last sync until you click Connect again.")


class ConnectError(Exception):
    """The callback cannot finish the connection; ``message`` is written for the owner."""


def connection_for(provider: Provider) -> GoogleConnection:
    return GoogleConnection.objects.get_or_create(provider=provider)[0]


def start(provider: Provider, redirect_uri: str) -> tuple[str, str]:
    """Begin connecting ``provider``; returns the Google consent URL to redirect the owner to, and the state."""
    connection = connection_for(provider)
    url, state, verifier = gateway.authorization_url(redirect_uri)
    connection.oauth_state = state
    connection.oauth_verifier = crypto.encrypt(verifier)
    connection.oauth_started_at = timezone.now()
    if not connection.is_connected:
        connection.status = GoogleConnection.Status.PENDING
    connection.save()
    return url, state


def finish(state: str, redirect_uri: str, authorization_response: str) -> GoogleConnection:
    """Exchange the code for tokens. Raises :class:`ConnectError` for a stale, unknown or refused attempt."""
    connection = GoogleConnection.objects.filter(oauth_state=state).exclude(oauth_state="").first() if state else None
    if connection is None:
        raise ConnectError(_("This sign-in link is unknown or was already used. Click Connect again."))
    if connection.oauth_started_at < timezone.now() - FLOW_LIFETIME:
        raise ConnectError(_("The sign-in took too long. Click Connect again."))
    verifier = crypto.decrypt(connection.oauth_verifier)
    connection.oauth_state, connection.oauth_verifier = "", ""
    connection.save(update_fields=["oauth_state", "oauth_verifier"])
    try:
        credentials_json = gateway.exchange_code(redirect_uri, state, verifier, authorization_response)
    except gateway.ReconnectNeeded as error:
        raise ConnectError(str(error)) from error
    connection.credentials = crypto.encrypt(credentials_json)
    connection.status = GoogleConnection.Status.CONNECTED
    connection.message = ""
    connection.connected_at = timezone.now()
    connection.save()
    return connection


def disconnect(connection: GoogleConnection) -> None:
    """Revoke the grant at Google (best effort), forget the credentials, calendars and synced busy blocks."""
    from .push import stop_channels

    if connection.credentials:
        try:
            with google_service(connection) as service:
                stop_channels(service, connection.calendars.exclude(channel_id=""))
        except (gateway.GoogleUnavailable, gateway.ReconnectNeeded) as error:
            logger.info("Could not stop push channels of provider %s: %s", connection.provider_id, error)
        try:
            gateway.revoke(crypto.decrypt(connection.credentials))
        except (gateway.GoogleUnavailable, crypto.InvalidToken) as error:
            logger.warning("Could not revoke Google access of provider %s: %s", connection.provider_id, error)
    with transaction.atomic():
        BusyBlock.objects.filter(provider_id=connection.provider_id, source=BusyBlock.Source.GOOGLE).delete()
        SyncedCalendar.objects.filter(connection=connection).delete()
        GoogleConnection.objects.filter(pk=connection.pk).update(
            status=GoogleConnection.Status.DISCONNECTED, credentials="", account="", message="", oauth_state="",
            oauth_verifier="", last_synced_at=None)


def mark_reconnect_needed(connection: GoogleConnection, detail: str = "") -> None:
    logger.warning("Google connection of provider %s needs reconnecting: %s", connection.provider_id, detail)
    connection.status = GoogleConnection.Status.RECONNECT
    connection.message = RECONNECT_MESSAGE
    connection.save(update_fields=["status", "message"])


@contextmanager
def google_service(connection: GoogleConnection):
    """A Calendar client for one task. Saves refreshed tokens afterwards; on a revoked grant marks the connection
    "reconnect needed" and re-raises :class:`gateway.ReconnectNeeded`.
    """
    try:
        credentials = gateway.load_credentials(crypto.decrypt(connection.credentials))
    except (crypto.InvalidToken, ValueError) as error:
        mark_reconnect_needed(connection, "stored credentials cannot be read")
        raise gateway.ReconnectNeeded("stored credentials cannot be read") from error
    token_before = credentials.token
    try:
        yield gateway.build_service(credentials)
    except gateway.ReconnectNeeded as error:
        mark_reconnect_needed(connection, str(error))
        raise
    finally:
        if credentials.token != token_before and connection.status == GoogleConnection.Status.CONNECTED:
            connection.credentials = crypto.encrypt(gateway.dump_credentials(credentials))
            GoogleConnection.objects.filter(pk=connection.pk).update(credentials=connection.credentials)
