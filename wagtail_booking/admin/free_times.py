"""Staff "Add booking" offers the free times of a service, provider and day, from the slot engine the public
booking uses (``bookings.availability.available_slots``).

Without JavaScript, "Show free times" posts the form back and it comes back with the day's times; with it, they
are fetched (:func:`free_times_json`) as the service, provider or day change. A typed start ("another time")
stays possible for a time outside working hours: ``services.create_by_staff`` still refuses any overlap.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..bookings.availability import available_slots, local_day_bounds
from ..businesses import visible_to
from ..site_settings import business_zone
from ..snippets.models import Provider, Service
from .calendar import ADD_PERMISSION, BadInput, parse_local


def free_times(service, provider, day, providers=None) -> tuple[str, list[tuple[str, str]]]:
    """(legend, [(value, label)]) of ``service``'s free starts on ``day`` in its business's zone.

    ``value`` is ``<ISO start>|<provider id>``; without a chosen ``provider`` every provider's times are offered,
    each label naming who (``providers`` maps ids to names).
    """
    zone_name = business_zone(service.site)
    zone = ZoneInfo(zone_name)
    start, end = local_day_bounds(day, day, zone_name)
    slots = available_slots(service, start, end, [provider.pk] if provider else None)
    legend = _("Free times on %(day)s (%(zone)s)") % {"day": date_format(day, "l j F Y"), "zone": zone_name}
    choices = []
    for slot in slots:
        label = slot.start.astimezone(zone).strftime("%H:%M")
        if provider is None:
            label = f"{label} · {(providers or {}).get(slot.provider_id, '')}"
        choices.append((f"{slot.start.isoformat()}|{slot.provider_id}", label))
    return legend, choices


class FreeTimesWidget(forms.RadioSelect):
    template_name = "wagtail_booking/admin/calendar/free_times_widget.html"
    legend = ""
    wanted = ""  # the start clicked in the calendar, ticked again when the script fetches other times

    class Media:
        js = ["wagtail_booking/admin/free-times.js"]
        css = {"all": ["wagtail_booking/admin/calendar.css"]}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update({"legend": self.legend, "url": reverse("wagtail_booking_calendar_free_times"),
                                  "wanted": self.wanted})
        return context


class FreeTimesFormMixin:
    """For the staff booking form: a day and its free times, chosen before (or instead of) a typed start."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"] = forms.DateField(label=gettext_lazy("Day"), required=False,
                                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        self.fields["free_time"] = forms.CharField(label=gettext_lazy("Free times"), required=False,
                                                   widget=FreeTimesWidget())
        self.fields["start"].required = False
        self.fields["start"].label = gettext_lazy("Or another time")
        self.fields["start"].help_text = gettext_lazy(
            "Only for a time outside the free times (outside working hours, say); it must not overlap other "
            "bookings, busy time or time off.")
        self.fields["provider"].required = False
        self.fields["provider"].help_text = gettext_lazy("Empty: the free times of everyone offering the service.")
        order = ["service", "provider", "day", "free_time", "start"]
        self.order_fields(order + [name for name in self.fields if name not in order])
        self._offer_free_times()

    def _value(self, name):
        return self.data.get(name) if self.is_bound else self.initial.get(name)

    def _row(self, name):
        raw = self._value(name)
        raw = getattr(raw, "pk", raw)
        if not raw or not str(raw).isdigit():
            return None
        return self.fields[name].queryset.filter(pk=raw).first()

    def _offer_free_times(self):
        widget = self.fields["free_time"].widget
        service, provider = self._row("service"), self._row("provider")
        try:
            day = _as_date(self._value("day"))
        except ValueError:
            day = None
        if service is None or day is None:
            widget.legend = _("Choose a service and a day to see their free times.")
            return
        names = dict(self.fields["provider"].queryset.values_list("pk", "name"))
        widget.legend, widget.choices = free_times(service, provider, day, names)
        if not widget.choices:
            widget.legend = _("%(legend)s: none. Try another day or provider, or give another time below.") % {
                "legend": widget.legend}

    def clean(self):
        chosen = self.cleaned_data.get("free_time")
        if chosen:
            iso, _bar, provider_id = chosen.partition("|")
            try:
                self.cleaned_data["start"] = datetime.fromisoformat(iso)
            except ValueError:
                self.add_error("free_time", _("Choose one of the free times offered."))
            provider = self.fields["provider"].queryset.filter(pk=provider_id if provider_id.isdigit() else None)
            if self.cleaned_data.get("provider") is None:
                self.cleaned_data["provider"] = provider.first()
        elif not self.cleaned_data.get("start") and "start" not in self.errors:
            self.add_error("free_time", _("Choose one of the free times, or give another time below."))
        if self.cleaned_data.get("provider") is None and "provider" not in self.errors:
            self.add_error("provider", _("Choose a provider (or one of the free times, which names one)."))
        return super().clean()


def _as_date(raw):
    if raw in (None, ""):
        return None
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw))


class FreeTimesCreateMixin:
    """For the staff "Add booking" view: prefilled from the calendar (``?service=&provider=&start=``), and
    "Show free times" posts back to show a day's times without creating anything."""

    def get_initial(self):
        initial = super().get_initial()
        params = self.request.GET
        for name in ("service", "provider"):
            if params.get(name, "").isdigit():
                initial[name] = int(params[name])
        site_zone = ZoneInfo(business_zone(_site_of(self.request, initial.get("service"))))
        try:
            start = parse_local(params["start"], site_zone) if params.get("start") else None
            initial["day"] = start.astimezone(site_zone).date() if start else _as_date(params.get("day"))
        except (BadInput, ValueError):
            start = None
        if start is not None:
            initial["start"] = initial["chosen_start"] = start
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        chosen = form.initial.get("chosen_start") if not form.is_bound else None
        if chosen is not None:  # the clicked time is ticked when it is free, else it stays as "another time"
            form.fields["free_time"].widget.wanted = chosen.isoformat()
            for value, _label in form.fields["free_time"].widget.choices:
                if datetime.fromisoformat(value.partition("|")[0]) == chosen:
                    form.initial["free_time"] = value
                    form.initial.pop("start", None)
                    break
        return form

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST" and "show_free_times" in self.request.POST:
            kwargs.pop("data", None)
            kwargs.pop("files", None)
            kwargs["initial"] = {**kwargs.get("initial", {}), **self.request.POST.dict()}
            kwargs["initial"].pop("free_time", None)
        return kwargs

    def post(self, request, *args, **kwargs):
        if "show_free_times" in request.POST:
            self.object = None
            return self.render_to_response(self.get_context_data(form=self.get_form()))
        return super().post(request, *args, **kwargs)


def _site_of(request, service_id):
    service = visible_to(Service.objects.select_related("site"), request.user).filter(pk=service_id).first() \
        if service_id else None
    return service.site if service else None


def free_times_json(request):
    """``?service=&provider=&day=``: the legend and free times the form offers, for its script."""
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    service = visible_to(Service.objects.select_related("site"), request.user).filter(
        pk=request.GET.get("service") if request.GET.get("service", "").isdigit() else None).first()
    providers = visible_to(Provider.objects.all(), request.user)
    provider_id = request.GET.get("provider", "")
    provider = providers.filter(pk=provider_id).first() if provider_id.isdigit() else None
    try:
        day = _as_date(request.GET.get("day"))
    except ValueError:
        day = None
    if service is None or day is None:
        return JsonResponse({"legend": _("Choose a service and a day to see their free times."), "times": []})
    if provider is not None and provider.site_id != service.site_id:
        return JsonResponse({"error": _("%(provider)s works for another business than %(service)s.")
                             % {"provider": provider, "service": service}}, status=400)
    names = dict(providers.filter(site_id=service.site_id).values_list("pk", "name"))
    legend, choices = free_times(service, provider, day, names)
    if not choices:
        legend = _("%(legend)s: none. Try another day or provider, or give another time below.") % {"legend": legend}
    return JsonResponse({"legend": legend, "times": [{"value": value, "label": label} for value, label in choices]})
