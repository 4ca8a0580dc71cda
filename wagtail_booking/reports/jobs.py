"""Plain functions the Huey tasks call: build a PDF report, email the monthly one, issue invoices."""

import logging
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from wagtail.models import Site

from ..businesses import user_site_ids
from ..conf import booking_settings
from . import PERMISSION
from .models import RevenueReport
from .periods import Period, month_of

logger = logging.getLogger(__name__)


def build_report(report_id) -> RevenueReport | None:
    """Render a pending report's PDF and store it; a failure is recorded in words on the report."""
    from .report_pdf import render_report

    report = RevenueReport.objects.select_related("site").filter(pk=report_id).first()
    if report is None or report.state == RevenueReport.State.READY:
        return report
    try:
        report.pdf = render_report(Period(report.first_day, report.last_day, timezone.get_current_timezone_name()),
                                   report.site)
    except Exception as error:
        logger.exception("Revenue report %s failed", report.pk)
        report.state, report.problem = RevenueReport.State.FAILED, f"The PDF could not be made: {error}"
        report.save(update_fields=["state", "problem"])
        raise
    report.state, report.problem = RevenueReport.State.READY, ""
    report.save(update_fields=["pdf", "state", "problem"])
    return report


def owners(site=None):
    """Active users with the "view revenue reports" permission (superusers included) who have an email address;
    with ``site``, only those who work in that business."""
    users = get_user_model().objects.with_perm(PERMISSION, backend="django.contrib.auth.backends.ModelBackend")
    users = users.filter(is_active=True).exclude(email="").order_by("pk")
    return users if site is None else [user for user in users if site.pk in user_site_ids(user)]


def send_monthly_report(today: date | None = None) -> list[RevenueReport]:
    """Last month's report of every business, each emailed once to that business's owners; does nothing unless
    MONTHLY_REVENUE_EMAIL is on."""
    if not booking_settings.MONTHLY_REVENUE_EMAIL:
        return []
    today = today or timezone.localdate()
    first, last = month_of(today.replace(day=1) - timedelta(days=1))
    return [send_business_report(site, first, last) for site in Site.objects.order_by("pk")]


def send_business_report(site, first: date, last: date) -> RevenueReport:
    with transaction.atomic():
        report, _ = RevenueReport.objects.get_or_create(site=site, monthly=True, first_day=first, last_day=last)
    if report.emailed_at:
        return report
    build_report(report.pk)
    report.refresh_from_db()
    recipients = [user.email for user in owners(site)]
    if not recipients:
        return report
    message = EmailMessage(subject=f"Revenue report for {first:%B %Y}: {site.site_name or site.hostname}",
                           body=f"The revenue report of {site.site_name or site.hostname} for {first:%B %Y} is "
                                "attached.\n",
                           from_email=booking_settings.from_email, to=recipients)
    message.attach(report.filename, bytes(report.pdf), "application/pdf")
    message.send()
    RevenueReport.objects.filter(pk=report.pk).update(emailed_at=datetime.now(tz=timezone.get_current_timezone()))
    return report


def issue_payment_documents(payment_id):
    from .invoices import issue_documents

    return issue_documents(payment_id)


def issue_order_invoice(order_id):
    from .invoices import issue_invoice_without_card

    return issue_invoice_without_card(order_id)
