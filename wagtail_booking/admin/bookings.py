"""Bookings in the Wagtail admin: listing, booking page with actions, creation by hand, dashboard panel."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.ui.components import Component
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from ..bookings import services
from ..bookings.intake import InvalidInput, check_timezone
from ..bookings.models import Booking
from ..businesses import visible_to
from ..checkout import facade
from ..exports import SafeCsvExportMixin
from ..phone import to_e164
from ..snippets.models import Provider, Service
from .free_times import FreeTimesCreateMixin, FreeTimesFormMixin
from .scoping import BusinessFilterSet, BusinessScopedViewSetMixin, scoped_choices

ACTION_LABELS = {"approve": _("Approve"), "decline": _("Decline"), "cancel": _("Cancel booking"),
                 "completed": _("Mark completed"), "no_show": _("Mark no-show")}
ACTIONS = {
    "approve": (services.approve, _("approved")),
    "decline": (services.decline, _("declined")),
    "cancel": (lambda booking: services.cancel(booking, by="staff"), _("cancelled")),
    "completed": (lambda booking: services.mark_outcome(booking, Booking.Status.COMPLETED), _("marked completed")),
    "no_show": (lambda booking: services.mark_outcome(booking, Booking.Status.NO_SHOW), _("marked as no-show")),
}
# These change money or tell the client bad news: a page first says what will happen, then staff confirm.
CONFIRMED_ACTIONS = {"cancel", "decline", "no_show"}
OUTCOMES = {"completed", "no_show"}
ACTIONS_BY_STATUS = {
    Booking.Status.REQUESTED: ["approve", "decline", "cancel"],
    Booking.Status.CONFIRMED: ["completed", "no_show", "cancel"],
    Booking.Status.HELD: ["cancel"],
}


def actions_for(booking, now=None):
    """The actions the booking allows now: outcomes only once the appointment has started."""
    started = booking.start <= (now or timezone.now())
    return [name for name in ACTIONS_BY_STATUS.get(booking.status, []) if started or name not in OUTCOMES]


def consequence(booking, action) -> str:
    """What an action means for the client and their money, said before staff confirm it."""
    payment = facade.paid_payment(booking)
    money = (lambda amount: f"{amount} {payment.currency}") if payment else str
    if action == "no_show":
        return (_("The client is recorded as not having come. The deposit of %(amount)s is kept.")
                % {"amount": money(payment.amount)} if payment else
                _("The client is recorded as not having come. There is no payment to keep or refund."))
    told = _("The client is told by email.")
    if payment is None:
        return f"{_('There is no payment to refund.')} {told}"
    if payment.state == "authorised":
        return _("The %(amount)s held on the client's card is released; nothing is charged. %(told)s") % {
            "amount": money(payment.amount), "told": told}
    refund = facade.refund_quote(booking, by="staff", payment=payment)
    return _("The client gets %(amount)s back on their card: when the business cancels or declines, the whole "
             "deposit is refunded. %(told)s") % {"amount": money(refund), "told": told}


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
                raise forms.ValidationError(_("At most %(limit)s %(currency)s can be refunded.")
                                            % {"limit": limit, "currency": self.payment.currency})
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
    from the public API)."""

    def get_base_queryset(self):
        return visible_to(super().get_base_queryset(), self.request.user)


class UserFormMixin:
    """Hands the user to our plain model forms (Wagtail does so only for its own form classes)."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class BookingEditView(UserFormMixin, generic.EditView):
    pass


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
    template_name = "wagtail_booking/admin/booking_inspect.html"
    action_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = self.object
        context.update({
            "booking": booking,
            "actions": [(name, ACTION_LABELS[name], reverse(self.action_url_name, args=[booking.pk, name]),
                         name in CONFIRMED_ACTIONS) for name in actions_for(booking)]
            if self.request.user.has_perm("wagtail_booking.manage_bookings") else [],
            "payments": list(booking.payments.select_related("order")),
            "refund_url": reverse(self.action_url_name.replace(":action", ":refund"), args=[booking.pk]),
            "can_manage": self.request.user.has_perm("wagtail_booking.manage_bookings"),
            "documents": list(booking.invoices.defer("pdf").order_by("issued_at", "pk")),
        })
        return context


class BookingViewSet(BusinessScopedViewSetMixin, ModelViewSet):
    """Bookings of the user's businesses: another business's booking is a 404 on every URL naming it."""

    model = Booking
    icon = "date"
    menu_label = _("Bookings")
    menu_order = 205
    add_to_admin_menu = True
    url_prefix = "bookings"
    list_display = ["reference", "client_name", "service", "provider", "start", "status"]
    list_export = ["reference", "status", "start", "end", "service", "provider", "client_name", "client_email",
                   "client_phone", "client_timezone", "price", "deposit_due", "created_at"]
    filterset_class = BookingFilterSet
    search_fields = ["reference", "client_name", "client_email", "client_phone"]
    search_backend_name = None
    inspect_view_enabled = True
    index_view_class = BookingIndexView
    add_view_class = BookingCreateView
    edit_view_class = BookingEditView
    inspect_view_class = BookingInspectView
    copy_view_enabled = False
    # Times are shown by the template in the site's and the provider's zones, with the zone named.
    inspect_view_fields = ["reference", "status", "service", "provider", "client_name",
                           "client_email", "client_phone", "client_timezone", "price", "deposit_due",
                           "intake_form_version", "staff_notes", "created_at"]
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
        ]

    def refund_view(self, request, pk):
        """Staff refund any amount up to what is refundable."""
        if not request.user.has_perm("wagtail_booking.manage_bookings"):
            raise PermissionDenied
        booking = get_object_or_404(visible_to(Booking.objects.all(), request.user), pk=pk)
        payment = facade.paid_payment(booking)
        if request.method == "GET":  # the confirmation step: the amount asked for, said back before it is sent
            form = RefundForm(request.GET, payment=payment)
            if payment is not None and form.is_valid():
                return self._confirm(request, booking, _("Refund"), request.path, _("Refund %(amount)s %(currency)s "
                                     "to the client's card? This cannot be undone.") % {
                                         "amount": form.cleaned_data["amount"], "currency": payment.currency},
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
                messages.success(request, _("Refunded %(amount)s %(currency)s.") % {
                    "amount": form.cleaned_data["amount"], "currency": payment.currency})
        return redirect(self.get_url_name("inspect"), booking.pk)

    def _confirm(self, request, booking, title, action_url, consequence_text, fields):
        back = reverse(self.get_url_name("inspect"), args=[booking.pk])
        return _confirm_page(request, booking, title, action_url, consequence_text, fields, back)

    def action_view(self, request, pk, action):
        if not request.user.has_perm("wagtail_booking.manage_bookings"):
            raise PermissionDenied
        booking = get_object_or_404(visible_to(Booking.objects.select_related("service", "provider"), request.user),
                                    pk=pk)
        if request.method == "GET" and action not in CONFIRMED_ACTIONS or action not in ACTIONS:
            return HttpResponseNotAllowed(["POST"])
        if action not in ACTIONS_BY_STATUS.get(booking.status, []):
            messages.error(request, _("That action is not possible for a booking that is %(status)s.")
                           % {"status": booking.get_status_display().lower()})
            return redirect(self.get_url_name("inspect"), booking.pk)
        if request.method == "GET":
            return self._confirm(request, booking, ACTION_LABELS[action], request.path,
                                 consequence(booking, action), {})
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


class UpcomingBookingsPanel(Component):
    name = "wagtail_booking_upcoming"
    order = 50
    template_name = "wagtail_booking/admin/upcoming_panel.html"

    def get_context_data(self, parent_context):
        now = timezone.now()
        today = timezone.localdate()
        live = visible_to(Booking.objects.all(), parent_context["request"].user).filter(
            status__in=[Booking.Status.CONFIRMED, Booking.Status.REQUESTED], end__gte=now,
        ).select_related("service", "provider")
        todays = [b for b in live.filter(start__date__lte=today)[:50]]
        upcoming = live.filter(start__date__gt=today)[:10]
        return {"today": todays, "upcoming": upcoming, "requests": live.filter(status="requested").count()}


booking_viewset = BookingViewSet("wagtail_booking_bookings")
