"""Bookings in the Wagtail admin: listing, booking page with actions, creation by hand."""

from functools import partial

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.coreutils import multigetattr

from .. import formats
from ..bookings import history as booking_history
from ..bookings import series as booking_series
from ..bookings import services
from ..bookings.intake import InvalidInput, check_timezone
from ..bookings.models import Booking
from ..businesses import visible_to
from ..checkout import facade
from ..exports import SafeCsvExportMixin
from ..phone import to_e164
from ..site_settings import business_zone
from ..snippets.models import Provider, Service
from . import balance, booking_page, fees
from .free_times import FreeTimesCreateMixin, FreeTimesFormMixin
from .scoping import BusinessFilterSet, BusinessScopedViewSetMixin, scoped_choices

# What each action does (the words and which statuses allow it are in ``booking_page``).
ACTIONS = {
    "approve": (services.approve, _("approved")),
    "decline": (services.decline, _("declined")),
    "cancel": (lambda booking: services.cancel(booking, by="staff"), _("cancelled")),
    "completed": (lambda booking: services.mark_outcome(booking, Booking.Status.COMPLETED), _("marked completed")),
    "no_show": (lambda booking: services.mark_outcome(booking, Booking.Status.NO_SHOW), _("marked as no-show")),
    "cancel_following": (lambda booking: booking_series.cancel(booking, and_following=True, by="staff"),
                         _("and the later appointments of its series cancelled")),
}

class BookingFilterSet(BusinessFilterSet):
    start = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=scoped_choices(Service))
    provider = django_filters.ModelChoiceFilter(label=_("Provider"), queryset=scoped_choices(Provider))

    class Meta:
        model = Booking
        fields = ["start", "status", "service", "provider"]


class StaffBookingForm(FreeTimesFormMixin, forms.ModelForm):
    class Meta:
        model = Booking
        fields = ["service", "provider", "start", "client_name", "client_email", "client_phone", "sms_consent",
                  "client_timezone", "staff_notes"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_timezone"].initial = timezone.get_current_timezone_name()
        # Only the user's businesses' services and providers are offered (and accepted).
        for name in ("service", "provider"):
            self.fields[name].queryset = visible_to(self.fields[name].queryset, for_user)

    def clean_client_phone(self):
        phone = self.cleaned_data.get("client_phone", "")
        try:
            return to_e164(phone) if phone else ""
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_client_timezone(self):
        try:
            return check_timezone(self.cleaned_data["client_timezone"])
        except InvalidInput as error:
            raise forms.ValidationError(error.errors[0][1]) from error

    def clean(self):
        data = super().clean()
        service, provider = data.get("service"), data.get("provider")
        if service and provider and provider.site_id != service.site_id:
            self.add_error("provider", _("%(provider)s works for another business than %(service)s.")
                           % {"provider": provider, "service": service})
        elif service and provider and not service.providers.filter(pk=provider.pk).exists():
            self.add_error("provider", _("%(provider)s does not offer %(service)s.")
                           % {"provider": provider, "service": service})
        return data


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount to refund"), min_value=0.01, decimal_places=2)

    def __init__(self, *args, payment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.payment = payment

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if self.payment is not None:
            limit = self.payment.amount if self.payment.state == "authorised" else self.payment.refundable
            if amount > limit:
                raise forms.ValidationError(_("At most %(limit)s can be refunded.")
                                            % {"limit": formats.money(limit, self.payment.currency)})
        return amount


class BookingEditForm(forms.ModelForm):
    """Time and provider are changed through actions, never by editing fields, so conflicts are always checked."""

    class Meta:
        model = Booking
        fields = ["client_name", "client_email", "client_phone", "staff_notes"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)


class BookingIndexView(SafeCsvExportMixin, generic.IndexView):
    """The listing of the user's businesses' bookings; its CSV export cannot carry formulas (client names come
    from the public API).

    A reference opens the booking's page. Times are in each booking's business zone, named; the queries are a
    fixed few whatever the number of rows (related rows joined, one settings read per business).
    """

    TIMES = ("start", "end", "created_at")

    def get_base_queryset(self):
        return visible_to(super().get_base_queryset(), self.request.user).select_related("service", "provider",
                                                                                        "site")

    @cached_property
    def columns(self):
        return [
            self._get_title_column("reference", get_url=self.get_inspect_url),
            *(self._get_custom_column(name) for name in ("client_name", "service", "provider")),
            Column("start", label=_("When"), sort_key="start",
                   accessor=lambda booking: formats.when(booking.start, self.zone_of(booking))),
            StatusTagColumn("get_status_display", label=_("Status"), sort_key="status",
                            primary=lambda booking: booking.status in (Booking.Status.REQUESTED,)),
        ]

    def _get_title_column(self, field_name, column_class=TitleColumn, get_url=None, **kwargs):
        column = super()._get_title_column(field_name, column_class, **kwargs)
        if get_url is not None:
            column._get_url_func = get_url  # the booking's page, not the form that edits the client's details
        return column

    def zone_of(self, booking) -> str:
        """The booking's business zone, read once per business for the whole listing or export."""
        zones = self.__dict__.setdefault("_zones", {})
        if booking.site_id not in zones:
            zones[booking.site_id] = business_zone(booking.site)
        booking.__dict__["business_zone"] = zones[booking.site_id]
        return zones[booking.site_id]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for booking in context.get("object_list") or ():
            self.zone_of(booking)  # so each row's title (str) needs no query
        return context

    def to_row_dict(self, item):
        """ISO 8601 on the business's wall clock with its offset, whole seconds, and the zone in its own column."""
        zone = self.zone_of(item)
        special = {"time_zone": lambda: zone, "status": item.get_status_display,
                   **{name: partial(formats.iso_local, getattr(item, name), zone) for name in self.TIMES}}
        return {name: special[name]() if name in special else multigetattr(item, name) for name in self.list_export}


class UserFormMixin:
    """Hands the user to our plain model forms (Wagtail does so only for its own form classes)."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class BookingEditView(UserFormMixin, generic.EditView):
    def get_success_url(self):
        return self.get_inspect_url() or super().get_success_url()  # back to the booking's page


class BookingCreateView(FreeTimesCreateMixin, UserFormMixin, generic.CreateView):
    def form_valid(self, form):
        self.form = form
        data = form.cleaned_data
        client = services.ClientDetails(name=data["client_name"], email=data["client_email"],
                                        phone=data["client_phone"], timezone=data["client_timezone"],
                                        sms_consent=data.get("sms_consent", False))
        try:
            self.object = services.create_by_staff(data["service"], data["provider"], data["start"], client)
        except services.BookingError as error:
            form.add_error("start" if error.field == "start" else None, error.message)
            self.produced_error_message = error.message
            return self.form_invalid(form)
        if data.get("staff_notes"):
            self.object.staff_notes = data["staff_notes"]
            self.object.save(update_fields=["staff_notes"])
        return self.save_action()


class BookingInspectView(generic.InspectView):
    """The booking's page: when, the client and their answers, what can be done now, money, documents, messages
    sent, and the history (Wagtail's log entries)."""

    template_name = "wagtail_booking/admin/booking_inspect.html"
    page_title = _("Booking")
    action_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(Booking.objects.select_related("service", "provider", "site", "intake_form"),
                                 pk=unquote(str(self.pk)))

    @cached_property
    def header_more_buttons(self):
        """Editing the client's details is a secondary action here; time and status change through actions."""
        buttons = [Button(_("History"), url=self.history_url, icon_name="history", priority=20)]
        if edit_url := self.get_edit_url():
            buttons.insert(0, Button(_("Edit client details"), url=edit_url, icon_name="edit", priority=10))
        return buttons

    @property
    def history_url(self):
        return reverse(self.action_url_name.replace(":action", ":history"), args=[self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(booking_page.page_context(self.object, self.request.user, self.action_url_name))
        context.update({"edit_url": self.get_edit_url(), "history_url": self.history_url})
        return context

    def get_fields(self):
        return []  # the template lays the page out itself


class BookingHistoryView(history.HistoryView):
    """Wagtail's history listing of a booking, saying "the client" for what the client did."""

    @cached_property
    def columns(self):
        columns = list(super().columns)
        columns[1] = Column("user", label=_("By"), accessor=booking_history.who, width="25%")
        return columns


class BookingViewSet(BusinessScopedViewSetMixin, ModelViewSet):
    """Bookings of the user's businesses: another business's booking is a 404 on every URL naming it."""

    model = Booking
    icon = "date"
    menu_label = _("Bookings")
    menu_order = 205
    add_to_admin_menu = True
    url_prefix = "bookings"
    list_export = ["reference", "status", "start", "end", "time_zone", "service", "provider", "client_name",
                   "client_email", "client_phone", "client_timezone", "price", "deposit_due", "currency",
                   "created_at"]
    export_headings = {"time_zone": _("Time zone"), "created_at": _("Created at")}
    filterset_class = BookingFilterSet
    search_fields = ["reference", "client_name", "client_email", "client_phone"]
    search_backend_name = None
    inspect_view_enabled = True
    index_view_class = BookingIndexView
    add_view_class = BookingCreateView
    edit_view_class = BookingEditView
    inspect_view_class = BookingInspectView
    history_view_class = BookingHistoryView
    copy_view_enabled = False
    ordering = ["-start"]

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(action_url_name=self.get_url_name("action"), **kwargs)

    def get_form_class(self, for_update=False):
        return BookingEditForm if for_update else StaffBookingForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("action/<int:pk>/<str:action>/", require_http_methods(["GET", "POST"])(self.action_view),
                 name="action"),
            path("refund/<int:pk>/", require_http_methods(["GET", "POST"])(self.refund_view), name="refund"),
            path("fee/<int:pk>/<str:reason>/", require_http_methods(["GET", "POST"])(partial(fees.fee_view, self)),
                 name="fee"),
            path("balance/<int:pk>/", require_http_methods(["GET", "POST"])(self.balance_view),
                 name="balance"),
        ]

    def balance_view(self, request, pk):
        """Request the balance after the visit (``admin/balance.py``)."""
        return balance.request_view(self, request, pk)

    def refund_view(self, request, pk):
        """Staff refund any amount up to what is refundable."""
        if not request.user.has_perm("wagtail_booking.manage_bookings"):
            raise PermissionDenied
        booking = get_object_or_404(visible_to(Booking.objects.all(), request.user), pk=pk)
        payment = facade.paid_payment(booking)
        if request.method == "GET":  # the confirmation step: the amount asked for, said back before it is sent
            form = RefundForm(request.GET, payment=payment)
            if payment is not None and form.is_valid():
                return self._confirm(request, booking, _("Refund"), request.path, _("Refund %(amount)s "
                                     "to the client's card? This cannot be undone.") % {
                                         "amount": formats.money(form.cleaned_data["amount"], payment.currency)},
                                     {"amount": form.cleaned_data["amount"]})
            messages.error(request, " ".join(form.errors.get("amount", [])) if payment else
                           _("This booking has no payment to refund."))
            return redirect(self.get_url_name("inspect"), booking.pk)
        form = RefundForm(request.POST, payment=payment)
        if payment is None:
            messages.error(request, _("This booking has no payment to refund."))
        elif not form.is_valid():
            messages.error(request, " ".join(form.errors.get("amount", [])))
        else:
            try:
                facade.refund(payment, form.cleaned_data["amount"], f"Refund by {request.user}")
            except facade.PaymentProblem as problem:
                messages.error(request, problem.message)
            else:
                messages.success(request, _("Refunded %(amount)s.") % {
                    "amount": formats.money(form.cleaned_data["amount"], payment.currency)})
        return redirect(self.get_url_name("inspect"), booking.pk)

    def _confirm(self, request, booking, title, action_url, consequence_text, fields):
        back = reverse(self.get_url_name("inspect"), args=[booking.pk])
        return _confirm_page(request, booking, title, action_url, consequence_text, fields, back)

    def action_view(self, request, pk, action):
        if not request.user.has_perm("wagtail_booking.manage_bookings"):
            raise PermissionDenied
        booking = get_object_or_404(visible_to(Booking.objects.select_related("service", "provider"), request.user),
                                    pk=pk)
        if request.method == "GET" and action not in booking_page.CONFIRMED_ACTIONS or action not in ACTIONS:
            return HttpResponseNotAllowed(["POST"])
        if action not in booking_page.ACTIONS_BY_STATUS.get(booking.status, []):
            messages.error(request, _("That action is not possible for a booking that is %(status)s.")
                           % {"status": booking.get_status_display().lower()})
            return redirect(self.get_url_name("inspect"), booking.pk)
        if request.method == "GET":
            return self._confirm(request, booking, booking_page.ACTION_LABELS[action], request.path,
                                 booking_page.consequence(booking, action), {})
        function, done = ACTIONS[action]
        try:
            function(booking)
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Booking %(ref)s %(done)s.") % {"ref": booking.reference, "done": done})
        return redirect(self.get_url_name("inspect"), booking.pk)


def _confirm_page(request, booking, title, action_url, consequence_text, fields, back_url):
    return TemplateResponse(request, "wagtail_booking/admin/booking_confirm.html", {
        "page_title": title, "header_icon": "date", "booking": booking, "action_url": action_url,
        "consequence": consequence_text, "fields": fields, "back_url": back_url})


booking_viewset = BookingViewSet("wagtail_booking_bookings")
