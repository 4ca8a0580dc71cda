"""The Calendars page's form: which of a provider's calendars (across all their connections) count as busy, and
the one that receives bookings."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .backends import backend_class, label_of
from .engine import forget_calendar
from .models import CalendarConnection, ConnectedCalendar


def calendar_label(calendar: ConnectedCalendar) -> str:
    """"Team — Google Calendar, maya@example.com" (the account left out when the calendar is named after it)."""
    connection = calendar.connection
    where = [str(label_of(connection.kind))]
    if connection.account and connection.account != str(calendar):
        where.append(connection.account)
    if connection.status != CalendarConnection.Status.CONNECTED:
        where.append(connection.get_status_display())
    return f"{calendar} — {', '.join(where)}"


class CalendarChoiceForm(forms.Form):
    busy = forms.MultipleChoiceField(label=_("Calendars that count as busy"), required=False,
                                     widget=forms.CheckboxSelectMultiple)
    receives_bookings = forms.ChoiceField(label=_("Write bookings to"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, calendars=(), **kwargs):
        self.calendars = {str(c.pk): c for c in calendars}
        super().__init__(*args, **kwargs)
        self.fields["busy"].choices = [(pk, calendar_label(c)) for pk, c in self.calendars.items()]
        self.fields["receives_bookings"].choices = [("", _("No calendar: bookings are not written anywhere"))] + [
            (pk, calendar_label(c)) for pk, c in self.calendars.items() if can_receive(c) or c.receives_bookings]

    @classmethod
    def for_provider(cls, provider, data=None):
        calendars = list(ConnectedCalendar.objects.filter(provider=provider).select_related("connection")
                         .order_by("connection__created_at", "connection_id", "-primary", "name"))
        chosen = next((str(c.pk) for c in calendars if c.receives_bookings), "")
        return cls(data, calendars=calendars, initial={"busy": [str(c.pk) for c in calendars if c.busy],
                                                       "receives_bookings": chosen})

    def save(self) -> None:
        chosen_busy, target = set(self.cleaned_data["busy"]), self.cleaned_data["receives_bookings"]
        with transaction.atomic():
            rows = {str(c.pk): c for c in ConnectedCalendar.objects.select_for_update().filter(
                pk__in=[c.pk for c in self.calendars.values()])}
            for pk, calendar in rows.items():
                if calendar.busy and pk not in chosen_busy:
                    forget_calendar(calendar)
                calendar.busy = pk in chosen_busy
            # Clear the old choice before setting the new one: the database allows one per provider.
            ConnectedCalendar.objects.filter(pk__in=[c.pk for c in rows.values()]).update(receives_bookings=False)
            for pk, calendar in rows.items():
                calendar.receives_bookings = pk == target
                calendar.save(update_fields=["busy", "receives_bookings"])


def can_receive(calendar: ConnectedCalendar) -> bool:
    cls = backend_class(calendar.connection.kind)
    return bool(cls and cls.can_write and calendar.writable
                and calendar.connection.status == CalendarConnection.Status.CONNECTED)
