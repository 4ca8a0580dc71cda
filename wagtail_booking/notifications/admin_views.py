"""Text messages in the Wagtail admin: monthly counts and cost, recent failures, and the test message."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..phone import PhoneNumberField
from ..site_settings import BusinessSettings
from .models import SmsMessage, SmsOptOut
from .sms import SmsError, get_backend

PERMISSION = "wagtail_booking.view_smsmessage"


class TestMessageForm(forms.Form):
    phone = PhoneNumberField(label=_("Send a test message to"))


def monthly_summary():
    """One row per month: sent, failed and cost, aggregated in SQL."""
    return (SmsMessage.objects.annotate(month=TruncMonth("created_at")).values("month", "price_unit")
            .annotate(total=Count("id"),
                      sent=Count("id", filter=Q(status__in=["sent", "delivered"])),
                      failed=Count("id", filter=Q(status__in=["failed", "undelivered"])),
                      cost=Sum("price"))
            .order_by("-month", "price_unit"))


def sms_overview(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    form = TestMessageForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("wagtail_booking.change_businesssettings"):
            raise PermissionDenied
        if form.is_valid():
            return _send_test(request, form.cleaned_data["phone"])
    backend = get_backend()
    context = {"summary": monthly_summary(), "form": form, "problem": backend.problem(),
               "failures": SmsMessage.objects.filter(status__in=["failed", "undelivered"])[:20],
               "opted_out": SmsOptOut.objects.filter(opted_out=True).order_by("-updated_at")[:50],
               "settings": BusinessSettings.for_request(request), "header_title": _("Text messages")}
    return TemplateResponse(request, "wagtail_booking/admin/sms_overview.html", context)


def _send_test(request, phone):
    config = BusinessSettings.for_request(request)
    backend = get_backend()
    problem = backend.problem()
    if problem:
        messages.error(request, problem)
        return redirect("wagtail_booking_sms")
    try:
        backend.send(phone, f"{config.display_name()}: test message from your booking site.")
    except SmsError as error:
        messages.error(request, _("The test message failed: %(error)s") % {"error": error.message})
    else:
        config.sms_test_passed_at = timezone.now()
        config.save(update_fields=["sms_test_passed_at"])
        messages.success(request, _("Test message sent to %(phone)s. You can now switch text messages on in "
                                    "Settings.") % {"phone": phone})
    return redirect("wagtail_booking_sms")
