"""Staff book a series in the admin: "Check dates" lists every date with its conflicts (and the same day's free
times), then "Book" writes it, skipping the conflicting dates or not at all, as staff choose.

Staff may book outside working hours (as a booking entered by hand), never over other busy time; clients' rules
(``allow_series``, deposits) do not apply. Everything is re-checked under the provider lock by
``bookings.series.book``.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .. import formats
from ..bookings import history, services
from ..bookings import series as booking_series
from ..bookings.intake import InvalidInput, check_timezone
from ..bookings.models import Booking
from ..businesses import visible_to
from ..site_settings import business_zone
from ..snippets.models import Provider, Service


class SeriesForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.none())
    start = forms.DateTimeField(label=_("First appointment"), help_text=_("In the business's time zone."),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    every_weeks = forms.IntegerField(label=_("Every (weeks)"), min_value=1, max_value=12, initial=1)
    count = forms.IntegerField(label=_("Number of appointments"), min_value=2, max_value=52, required=False,
                               initial=4)
    until = forms.DateField(label=_("Or until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    client_name = forms.CharField(label=_("Client name"), max_length=200)
    client_email = forms.EmailField(label=_("Client email"))
    client_phone = forms.CharField(label=_("Client phone"), max_length=20, required=False)
    client_timezone = forms.CharField(label=_("Client time zone"), max_length=64)
    on_conflict = forms.ChoiceField(label=_("Dates that cannot be booked"), widget=forms.RadioSelect,
                                    initial=booking_series.SKIP,
                                    choices=[(booking_series.SKIP, _("Book the others and leave them out")),
                                             (booking_series.ALL_OR_NOTHING, _("Book nothing unless all are free"))])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = visible_to(Service.objects.all(), user).order_by("name")
        self.fields["provider"].queryset = visible_to(Provider.objects.all(), user).order_by("name")

    def clean_client_timezone(self):
        try:
            return check_timezone(self.cleaned_data["client_timezone"], "client_timezone")
        except InvalidInput as error:
            raise forms.ValidationError(error.errors[0][1]) from error

    def first_start(self) -> datetime:
        """The start typed in, on the business's wall clock."""
        service = self.cleaned_data["service"]
        return self.cleaned_data["start"].replace(tzinfo=ZoneInfo(business_zone(service.site)))


def book_series(request):
    if not request.user.has_perm("wagtail_booking.manage_bookings"):
        raise PermissionDenied
    form = SeriesForm(request.POST or None, user=request.user, initial=request.GET.dict())
    context = {"form": form, "page_title": _("Book a series"), "header_icon": "date"}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = booking_series.rule_for(data["service"], data["provider"], form.first_start(),
                                           data["every_weeks"], data["count"], data["until"])
            if "book" in request.POST:
                return _book(request, form, rule)
            context["plan"] = _plan_rows(booking_series.plan(data["service"], data["provider"], rule,
                                                             by=history.BY_STAFF), business_zone(data["service"].site))
        except services.BookingError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    return TemplateResponse(request, "wagtail_booking/admin/series_form.html", context)


def _book(request, form, rule):
    data = form.cleaned_data
    client = services.ClientDetails(name=data["client_name"], email=data["client_email"],
                                    phone=data["client_phone"], timezone=data["client_timezone"])
    booked = booking_series.book(data["service"], data["provider"],
                                 booking_series.SeriesRequest(rule, data["on_conflict"]), client, by=history.BY_STAFF)
    rows = list(booked.bookings.order_by("start"))
    messages.success(request, _("Series booked: %(count)s appointments.") % {"count": len(rows)})
    return redirect("wagtail_booking_bookings:inspect", rows[0].pk)


def _plan_rows(plan, zone):
    """(when, free, why not, the same day's free times, the room a free date takes): staff always see the room."""
    ids = {item.slot.resource_id for item in plan.occurrences if item.is_free and item.slot.resource_id}
    rooms = dict(Provider.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return [(formats.when(item.start, zone), item.is_free, item.reason_text,
             ", ".join(formats.when(slot.start, zone, formats.TIME) for slot in item.alternatives),
             rooms.get(item.slot.resource_id) if item.is_free else None)
            for item in plan.occurrences]


class MoveForm(forms.Form):
    start = forms.DateTimeField(label=_("New time of this appointment"),
                                help_text=_("In the business's time zone. Each later appointment moves by the same "
                                            "number of days, to the same time."),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def move_following(request, pk):
    """Move this occurrence and every later one of its series (staff: no cut-off, never over busy time)."""
    if not request.user.has_perm("wagtail_booking.manage_bookings"):
        raise PermissionDenied
    booking = get_object_or_404(visible_to(Booking.objects.select_related("service", "provider"), request.user),
                                pk=pk)
    zone = ZoneInfo(booking.business_zone)
    form = MoveForm(request.POST or None, initial={
        "start": booking.start.astimezone(zone).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST" and form.is_valid():
        try:
            moved = booking_series.move(booking, form.cleaned_data["start"].replace(tzinfo=zone),
                                        and_following=True, by=history.BY_STAFF)
        except services.BookingError as error:
            form.add_error("start", error.message)
        else:
            messages.success(request, _("%(count)s appointments moved.") % {"count": len(moved)})
            return redirect("wagtail_booking_bookings:inspect", booking.pk)
    later = booking_series.following(booking)
    return TemplateResponse(request, "wagtail_booking/admin/series_move.html", {
        "form": form, "booking": booking, "page_title": _("Move this and all later"), "header_icon": "date",
        "later": [formats.when(row.start, booking.business_zone) for row in later],
        "back_url": reverse("wagtail_booking_bookings:inspect", args=[booking.pk])})


def urlpatterns():
    return [path("booking/series/new/", book_series, name="wagtail_booking_series_new"),
            path("booking/series/move/<int:pk>/", move_following, name="wagtail_booking_series_move")]
