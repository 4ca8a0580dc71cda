"""Text messages in the Wagtail admin: monthly counts and cost, recent failures, and the test message.

The page is about one business: the one chosen (``?site=``, among those the user works in), else the request's
site if the user works there, else their first. Another business's texts, clients and settings never show.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from ..bookings.models import Booking
from ..businesses import chosen_business, sites_for_user
from ..phone import PhoneNumberField
from ..site_settings import BusinessSettings
from .models import SmsMessage, SmsOptOut
from .sms import SmsError, get_backend

PERMISSION = "wagtail_booking.view_smsmessage"


class TestMessageForm(forms.Form):
    phone = PhoneNumberField(label=_("Send a test message to"))


business_of = chosen_business  # the business the page shows (businesses.chosen_business)


def of_business(queryset, *conditions, **lookup):
    """``queryset``'s rows of ``site``. On a one-business install everything is its own, including texts whose
    booking is gone and opt-outs of numbers that never booked; with several, those belong to no business."""
    if Site.objects.count() <= 1:
        return queryset
    return queryset.filter(*conditions, **lookup)


def texts_of(site) -> Q:
    """A business's texts: by their own ``site`` (waitlist offers have no booking), or their booking's."""
    return Q(site=site) | Q(site__isnull=True, booking__site=site)


def monthly_summary(site):
    """One row per month of ``site``'s texts: sent, failed and cost, aggregated in SQL."""
    return (of_business(SmsMessage.objects.all(), texts_of(site)).annotate(month=TruncMonth("created_at"))
            .values("month", "price_unit")
            .annotate(total=Count("id"),
                      sent=Count("id", filter=Q(status__in=["sent", "delivered"])),
                      failed=Count("id", filter=Q(status__in=["failed", "undelivered"])),
                      cost=Sum("price"))
            .order_by("-month", "price_unit"))


def sms_overview(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    site = business_of(request)
    form = TestMessageForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("wagtail_booking.change_businesssettings"):
            raise PermissionDenied
        if form.is_valid():
            return _send_test(request, site, form.cleaned_data["phone"])
    backend = get_backend()
    clients = Booking.objects.filter(site=site).exclude(client_phone="").values("client_phone")
    failures = SmsMessage.objects.filter(status__in=["failed", "undelivered"]).select_related("booking")
    opted_out = SmsOptOut.objects.filter(opted_out=True).order_by("-updated_at")
    context = {"summary": monthly_summary(site), "form": form, "problem": backend.problem(),
               "failures": of_business(failures, texts_of(site))[:20],
               "opted_out": of_business(opted_out, phone__in=clients)[:50],
               "settings": BusinessSettings.for_site(site), "business": site,
               "businesses": sites_for_user(request.user).order_by("site_name", "hostname"),
               "header_title": _("Text messages")}
    return TemplateResponse(request, "wagtail_booking/admin/sms_overview.html", context)


def _send_test(request, site, phone):
    config = BusinessSettings.for_site(site)
    backend = get_backend()
    problem = backend.problem()
    if problem:
        messages.error(request, problem)
        return _back(site)
    try:
        backend.send(phone, f"{config.display_name()}: test message from your booking site.")
    except SmsError as error:
        messages.error(request, _("The test message failed: %(error)s") % {"error": error.message})
    else:
        config.sms_test_passed_at = timezone.now()
        config.save(update_fields=["sms_test_passed_at"])
        messages.success(request, _("Test message sent to %(phone)s. You can now switch text messages on in "
                                    "Settings.") % {"phone": phone})
    return _back(site)


def _back(site):
    return redirect(f"{reverse('wagtail_booking_sms')}?site={site.pk}")
