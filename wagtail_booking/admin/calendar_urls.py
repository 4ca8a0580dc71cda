"""The calendar's admin URLs and menu item (registered by ``wagtail_hooks``)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from . import calendar, calendar_move, free_times


def urlpatterns():
    return [
        path("booking/calendar/", calendar.calendar, name="wagtail_booking_calendar"),
        path("booking/calendar/feed/", calendar.feed, name="wagtail_booking_calendar_feed"),
        path("booking/calendar/move/<int:pk>/", calendar_move.move, name="wagtail_booking_calendar_move"),
        path("booking/calendar/free-times/", free_times.free_times_json, name="wagtail_booking_calendar_free_times"),
    ]


class CalendarMenuItem(MenuItem):
    def is_shown(self, request):
        return calendar.can_view(request.user)


def menu_item():
    return CalendarMenuItem(_("Calendar"), reverse("wagtail_booking_calendar"), icon_name="calendar-alt", order=204)
