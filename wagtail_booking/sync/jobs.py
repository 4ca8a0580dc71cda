"""One sync of a connection: calendars, busy time, watches and the bookings its calendar missed, with the
contract's errors turned into what the owner sees (``backends/base.py`` says which error means what)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from .backends.base import CalendarError, ReconnectNeeded, Unavailable
from .engine import busy_calendars, import_calendar, open_backend, refresh_calendars
from .models import CalendarConnection
from .push import renew_watches
from .writeback import catch_up


def sync_connection(connection_id: int, calendar_pk: int | None = None) -> int:
    """Sync one connection (or only one of its calendars, after a push). Returns the number of blocks changed.

    Raises :class:`Unavailable` so the Huey task retries; a revoked grant or another error only marks the
    connection, keeping its blocks.
    """
    connection = CalendarConnection.objects.select_related("provider").filter(pk=connection_id).first()
    if connection is None or not connection.is_connected:
        return 0
    changed, problems = 0, []
    try:
        with open_backend(connection) as backend:
            if calendar_pk is None:
                refresh_calendars(backend, connection)
            for calendar in busy_calendars(connection, calendar_pk):
                try:
                    changed += import_calendar(backend, calendar)
                except (ReconnectNeeded, Unavailable):
                    raise
                except CalendarError as error:
                    problems.append(f"{calendar}: {error}")
            renew_watches(backend, connection)
            if calendar_pk is None:
                catch_up(backend, connection)
    except ReconnectNeeded:
        return 0
    except Unavailable as error:
        _tell(connection, _("The service did not answer at the last attempt (%(error)s); it will be tried again.")
              % {"error": error})
        raise
    except CalendarError as error:
        problems.append(str(error))
    _tell(connection, " ".join(problems), synced=not problems)
    return changed


def _tell(connection, message: str, synced=False) -> None:
    fields = {"message": message}
    if synced:
        fields["last_synced_at"] = timezone.now()
    CalendarConnection.objects.filter(pk=connection.pk).update(**fields)
    for name, value in fields.items():
        setattr(connection, name, value)
