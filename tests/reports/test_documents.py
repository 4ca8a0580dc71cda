"""PDFs: an invoice with a voucher and tax, a report requested in the admin, the monthly email, client links."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client, override_settings
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_voucher

from tests.checkout.conftest import far, paid_booking
from tests.reports.conftest import pdf_text, save_png
from wagtail_booking.reports import links
from wagtail_booking.reports.jobs import send_monthly_report
from wagtail_booking.reports.models import Invoice, RevenueReport
from wagtail_booking.site_settings import BusinessSettings
from wagtail_booking.tasks import monthly_revenue_report_task

pytestmark = pytest.mark.django_db(transaction=True)
Order = get_model("order", "Order")


@pytest.fixture
def business(site_root):
    from wagtail.models import Site

    BusinessSettings.objects.update_or_create(site=Site.objects.get(is_default_site=True), defaults={
        "business_name": "Calm Hands Massage", "address": "12 Elm Street\nBrooklyn, NY 11201",
        "contact_email": "hello@calmhands.example", "contact_phone": "+1 212 555 0100"})


@pytest.fixture
def paid_with_voucher(stripe_client, massage, monday, business):
    voucher = create_voucher(code="WELCOME")  # Oscar's test voucher: 10% off the basket
    return paid_booking(stripe_client, massage, far(monday, 11), "pat@example.com", voucher=voucher.code)


def test_invoice_pdf_shows_booking_voucher_tax_and_balance(paid_with_voucher):
    invoice = paid_with_voucher.invoices.get(kind="invoice")
    order = invoice.order
    assert order.total_discount_incl_tax > 0
    text = pdf_text(bytes(invoice.pdf))
    assert "Calm Hands Massage" in text and "12 Elm Street" in text
    assert invoice.number in text and order.number in text and paid_with_voucher.reference in text
    assert "Massage with" in text and "11:00 (America/New_York)" in text  # the client's zone
    assert "Voucher WELCOME" in text and f"-US${order.total_discount_incl_tax:,.2f}" in text
    assert f"US${order.total_incl_tax:,.2f}" in text and f"US${order.total_tax:,.2f}" in text
    assert "Balance due at the appointment" in text and "US$72.00" in text
    save_png(bytes(invoice.pdf), "invoice")


def test_client_link_and_staff_download(client, paid_with_voucher, owner, editor, settings):
    invoice = paid_with_voucher.invoices.get(kind="invoice")
    response = Client().get(links.invoice_url(invoice))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    tampered = links.invoice_token(invoice)[:-2] + "xx"
    assert Client().get(reverse("wagtail_booking:invoice", args=[tampered])).status_code == 404
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "INVOICE_LINK_DAYS": -1}
    expired = Client().get(links.invoice_url(invoice))
    assert expired.status_code == 410 and b"expired" in expired.content
    client.force_login(editor)  # can see bookings: can download their invoices
    page = client.get(reverse("wagtail_booking_bookings:inspect", args=[paid_with_voucher.pk]))
    assert invoice.number.encode() in page.content
    assert client.get(reverse("wagtail_booking_reports:invoice_download", args=[invoice.pk])).status_code == 200
    with pytest.raises(signing.BadSignature):
        links.document_id("nonsense")


def test_report_pdf_requested_in_admin(client, owner, paid_with_voucher):
    client.force_login(owner)
    today = date.today()
    response = client.post(reverse("wagtail_booking_reports:pdfs"), {
        "period": "custom", "first_day": (today - timedelta(days=3)).isoformat(),
        "last_day": (today + timedelta(days=1)).isoformat()})
    assert response.status_code == 302
    report = RevenueReport.objects.get()  # built by the (immediate) Huey task after commit
    assert report.state == "ready"
    download = client.get(reverse("wagtail_booking_reports:pdf_download", args=[report.pk]))
    assert download.status_code == 200
    text = pdf_text(download.content)
    paid = paid_with_voucher.payments.get().amount_captured
    assert "Calm Hands Massage" in text and f"{paid:,.2f}" in text and "Massage" in text
    save_png(download.content, "revenue-report")
    assert client.post(reverse("wagtail_booking_reports:pdfs"), {"period": "custom"}).status_code == 200  # says why
    page = client.get(reverse("wagtail_booking_reports:revenue"), {"period": "this_year", "interval": "month"})
    assert page.status_code == 200 and b'<svg role="img"' in page.content
    assert f"{paid:.2f}".encode() in page.content  # the same figure in the table and the chart's bar title


def test_monthly_email_goes_to_owners_once(owner, editor, business, settings):
    send_monthly_report()  # switched off by default
    assert not RevenueReport.objects.exists()
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "MONTHLY_REVENUE_EMAIL": True}
    monthly_revenue_report_task.call_local()
    monthly_revenue_report_task.call_local()
    [message] = mail.outbox
    assert message.to == ["owner@example.com"]
    [(name, content, _)] = message.attachments
    assert name.endswith(".pdf") and "Revenue report" in pdf_text(content)


def test_credit_note_for_a_staff_refund(paid_with_voucher):
    from wagtail_booking.checkout import facade

    facade.refund(facade.paid_payment(paid_with_voucher), Decimal("5.00"), "Refund by staff")
    [note] = Invoice.objects.filter(kind="credit_note")
    assert note.number == "CN-000001" and note.amount == Decimal("5.00")
    assert "-US$5.00" in pdf_text(bytes(note.pdf))


def test_an_invoice_that_cannot_be_made_never_blocks_the_confirmation_it_follows_later(
        stripe_client, massage, monday, business, monkeypatch):
    from reportlab.pdfgen.canvas import Canvas

    from wagtail_booking.outbox.dispatch import sweep

    real_save = Canvas.save

    def disk_full(self):  # reportlab's own writer failing, as on a full disk
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Canvas, "save", disk_full)
    booking = paid_booking(stripe_client, massage, far(monday, 11), "pat@example.com")
    confirmation = next(m for m in mail.outbox if m.subject.startswith("Your booking is confirmed"))
    assert "sent separately" in confirmation.body
    assert not [name for name, *_ in confirmation.attachments if name.endswith(".pdf")]

    monkeypatch.setattr(Canvas, "save", real_save)  # the disk has room again; the retry (or the sweep) runs
    with override_settings(WAGTAIL_BOOKING={**settings.WAGTAIL_BOOKING, "OUTBOX_SWEEP_AFTER_SECONDS": 0}):
        sweep()
    invoices = [m for m in mail.outbox if m.subject.startswith("Your invoice")]
    assert len(invoices) == 1 and invoices[0].to == ["pat@example.com"]
    number = booking.invoices.get(kind="invoice").number
    assert number in invoices[0].subject
    [(name, content, _mimetype)] = [a for a in invoices[0].attachments if a[0].endswith(".pdf")]
    assert number in pdf_text(content)
