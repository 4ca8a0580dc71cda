"""PDF downloads: revenue reports (owners), invoices (staff, and clients through a signed link)."""

from django import forms
from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..businesses import has_several_businesses, site_for_request, sites_for_user, visible_to
from ..outbox import enqueue
from . import PERMISSION, forbidden, links, periods
from .filters import PRESET_CHOICES
from .invoices import ensure_pdf
from .models import Invoice, RevenueReport
from .tasks import build_revenue_report_task


def pdf_response(content: bytes, filename: str, inline=False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class ReportRequestForm(forms.Form):
    site = forms.ModelChoiceField(label=gettext_lazy("Business"), queryset=None, empty_label=None)
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PRESET_CHOICES)
    first_day = forms.DateField(label=gettext_lazy("From (custom)"), required=False, widget=DATE_INPUT)
    last_day = forms.DateField(label=gettext_lazy("To (custom)"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sites = sites_for_user(user).order_by("site_name", "hostname")
        self.fields["site"].queryset = sites
        if len(sites) == 1:  # one business: nothing to choose
            self.fields["site"].initial = sites[0].pk
            self.fields["site"].widget = forms.HiddenInput()
            self.fields["site"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom" and not (data.get("first_day") and data.get("last_day")):
            raise forms.ValidationError(_("Custom periods need both a first and a last day."))
        return data


def _is_owner(request):
    return request.user.has_perm(PERMISSION)


def report_pdfs(request):
    """List the PDF reports and ask for a new one (built by a Huey task after this request commits)."""
    if not _is_owner(request):
        return forbidden(request)
    form = ReportRequestForm(request.POST or None, initial={"period": "last_month"}, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = periods.resolve(data["period"], data.get("first_day"), data.get("last_day"))
        with transaction.atomic():
            report = RevenueReport.objects.create(site=data["site"], first_day=period.first, last_day=period.last,
                                                  requested_by=request.user)
            enqueue(build_revenue_report_task, report.pk)
        messages.success(request, _("The PDF for %(period)s is being prepared; it appears below when ready.")
                         % {"period": period})
        return redirect("wagtail_booking_reports:pdfs")
    return TemplateResponse(request, "wagtail_booking/reports/revenue_reports.html", {
        "form": form, "reports": visible_to(RevenueReport.objects.defer("pdf").select_related("site"),
                                            request.user)[:50],
        "page_title": _("Revenue report PDFs"),
        "header_icon": "doc-full", "request_url": request.path, "several": has_several_businesses(request.user)})


def report_pdf_download(request, pk):
    if not _is_owner(request):
        return forbidden(request)
    report = get_object_or_404(visible_to(RevenueReport.objects.all(), request.user), pk=pk,
                               state=RevenueReport.State.READY)
    return pdf_response(bytes(report.pdf), report.filename)


def staff_invoice_download(request, pk):
    """For staff who can see bookings, from the booking's page."""
    user = request.user
    if not (user.has_perm("wagtail_booking.view_booking") or user.has_perm("wagtail_booking.change_booking")
            or user.has_perm(PERMISSION)):
        return forbidden(request)
    document = get_object_or_404(visible_to(Invoice.objects.all(), user), pk=pk)
    return pdf_response(ensure_pdf(document), document.filename)


def client_invoice_download(request, token):
    """The client's link from their email: signed, expiring after INVOICE_LINK_DAYS."""
    try:
        pk, number = links.document_id(token)
    except signing.SignatureExpired:
        return HttpResponse(_("This invoice link has expired. Ask us for a new one, quoting your booking "
                              "reference."), status=410, content_type="text/plain; charset=utf-8")
    except signing.BadSignature:
        return HttpResponse(_("This invoice link is not valid: check that it was copied in full."), status=404,
                            content_type="text/plain; charset=utf-8")
    # Only on the business's own site, as the email linked it.
    document = get_object_or_404(Invoice, pk=pk, number=number, site=site_for_request(request))
    return pdf_response(ensure_pdf(document), document.filename, inline=True)
