"""The booking's page in the admin, its history (Wagtail log entries), the listing's speed and its exports."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry, Site

from tests.checkout.conftest import far, massage, paid_booking, stripe_client, stripe_fake, stripe_server  # noqa: F401
from tests.factories.booking import BookingFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.formats import money, when
from wagtail_booking.reports.invoices import issue_documents
from wagtail_booking.site_settings import BusinessSettings

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def usd(amount):
    return money(Decimal(amount), "USD")


@pytest.fixture
def paris_business(db):
    """The business runs its day in Paris while the server's TIME_ZONE is New York: screens must say Paris."""
    settings = BusinessSettings.for_site(Site.objects.get(is_default_site=True))
    settings.time_zone = "Europe/Paris"
    settings.save()
    return settings


def page(client, booking):
    """The booking page's own part (Wagtail's chrome around it is not ours to judge)."""
    response = client.get(f"/admin/bookings/inspect/{booking.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('class="wb-booking-page"'):html.index("<style>", html.index('class="wb-booking-page"'))]


def test_paid_and_refunded_booking_page(admin_client, admin_user, stripe_client, massage, monday):  # noqa: F811
    booking = paid_booking(stripe_client, massage, far(monday), "pat@example.com")
    response = admin_client.post(f"/admin/bookings/refund/{booking.pk}/", {"amount": "5.00"}, follow=True)
    assert f"Refunded {usd('5.00')}." in response.content.decode()
    issue_documents(booking.payments.get().pk)  # what the task does after the commit
    html = page(admin_client, booking)
    # Money through babel (as Oscar shows it), the Stripe id only as a small detail, documents as downloads.
    assert usd("18.00") in html and usd("13.00") in html and "18.00 USD" not in html
    assert "Stripe: pi_" in html and "Order " in html
    assert "Invoice" in html and "Credit note" in html and html.count(" (PDF)</a>") == 2
    # History: the client booked and paid, the staff member refunded, each with who and when (zone named).
    assert f"Payment received: {usd('18.00')}" in html and f"Refunded: {usd('5.00')}" in html
    assert "the client" in html and admin_user.get_username() in html
    assert "(America/New_York)" in html
    # Messages sent: the confirmation email with its status.
    assert "<td>Email</td><td>Booking confirmed</td><td>pat@example.com</td><td>Waiting to be sent</td>" in html
    for raw in (">True<", ">False<", ">None<", "None</"):
        assert raw not in html


def test_free_booking_page_says_nothing_to_pay_and_answers_in_words(admin_client, service, intake_form, monday):
    service.intake_form = intake_form
    service.save()
    booking = BookingFactory(service=service, provider=service.providers.first(), start=ny(monday, 9),
                             intake_form=intake_form, intake_form_version=1, intake_answers=[
                                 {"field": "why", "label": "What brings you here?", "value": "Knee"},
                                 {"field": "agree", "label": "I agree to the privacy policy", "value": True},
                                 {"field": "news", "label": "Send me news", "value": False},
                                 {"field": "topics", "label": "Topics", "value": ["Back", "Sleep"]},
                                 {"field": "mobile", "label": "Mobile", "value": None}])
    html = page(admin_client, booking)
    assert "Free: nothing to pay." in html and "<dt>Price</dt><dd>Free</dd>" in html
    assert "Paid in full" not in html and 'id="wb-balance"' not in html  # no balance to speak of
    assert "<dt>I agree to the privacy policy</dt><dd>Yes</dd>" in html
    assert "<dt>Send me news</dt><dd>No</dd>" in html
    assert "<dt>Topics</dt><dd>Back, Sleep</dd>" in html
    assert "<dt>Mobile</dt><dd>—</dd>" in html
    assert "version 1" in html and "None" not in html and "True" not in html and "False" not in html


def test_history_records_who_did_what(admin_client, admin_user, service, monday):
    service.booking_mode = "request"
    service.save()
    client = services.ClientDetails(name="Zoe", email="zoe@example.com", timezone="Europe/Berlin")
    booking = services.create_hold(service, ny(monday, 10), client)
    response = admin_client.post(f"/admin/bookings/action/{booking.pk}/approve/")
    assert response.status_code == 302
    services.reschedule(booking, ny(monday, 11), by="client")
    entries = list(ModelLogEntry.objects.for_instance(booking).order_by("timestamp", "pk"))
    assert [entry.action.split(".")[-1] for entry in entries] == ["created", "requested", "approved", "rescheduled"]
    assert [entry.user_id for entry in entries] == [None, None, admin_user.pk, None]
    html = page(admin_client, booking)
    assert "Request approved" in html and "Request received, awaiting approval" in html
    zone = "America/New_York"
    assert f"Moved from {when(ny(monday, 10), zone)} to {when(ny(monday, 11), zone)}" in html
    # Wagtail's own history listing of the booking says "the client" rather than "system".
    history = admin_client.get(f"/admin/bookings/history/{booking.pk}/").content.decode()
    assert "Request approved" in history and "the client" in history


def test_a_change_rolled_back_leaves_no_history(service, monday):
    booking = BookingFactory(service=service, provider=service.providers.first(), start=ny(monday, 9),
                             status="cancelled")
    with pytest.raises(services.NotAllowed):
        services.cancel(booking, by="staff")
    assert not ModelLogEntry.objects.for_instance(booking).exists()


def test_cancel_asks_first_and_says_the_money_consequence(admin_client, service, monday):
    booking = BookingFactory(service=service, provider=service.providers.first(), start=ny(monday, 9))
    confirm = admin_client.get(f"/admin/bookings/action/{booking.pk}/cancel/")
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "There is no payment to refund." in text and "Yes: Cancel booking" in text
    assert when(ny(monday, 9), "America/New_York") in text
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"  # asking changed nothing
    admin_client.post(f"/admin/bookings/action/{booking.pk}/cancel/")
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert "Cancelled" in page(admin_client, booking)


def test_listing_opens_the_booking_page_in_the_business_zone(admin_client, paris_business, service, monday):
    booking = BookingFactory(service=service, provider=service.providers.first(), start=ny(monday, 9))
    html = admin_client.get("/admin/bookings/").content.decode()
    assert f'href="/admin/bookings/inspect/{booking.pk}/"' in html
    in_paris = when(ny(monday, 9), "Europe/Paris")
    assert in_paris.split(", ")[1] in ("14:00 (Europe/Paris)", "15:00 (Europe/Paris)")  # 09:00 in New York
    assert in_paris in html and str(Booking.objects.get(pk=booking.pk)).endswith(in_paris)


def listing_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/bookings/").status_code == 200
    return len(queries)


def test_listing_runs_a_fixed_number_of_queries(admin_client, service, monday):
    provider = service.providers.first()
    BookingFactory(service=service, provider=provider, start=ny(monday, 8))
    listing_queries(admin_client)  # the first request of a session reads what later ones have cached
    one = listing_queries(admin_client)
    for day in range(1, 30):
        BookingFactory(service=service, provider=provider, start=ny(monday + timedelta(days=day), 8))
    many = listing_queries(admin_client)
    assert many == one and many <= 25, (one, many)


def export_rows(client, fmt):
    response = client.get("/admin/bookings/", {"export": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_carry_local_iso_times_with_offset_and_zone(admin_client, paris_business, service, fmt):
    provider = service.providers.first()
    # Paris moves its clocks on 28 March 2027: the same 09:00 wall-clock time has two offsets.
    BookingFactory(service=service, provider=provider, start=datetime(2027, 3, 26, 9, tzinfo=PARIS),
                   client_name="Before", price=Decimal("90.00"))
    BookingFactory(service=service, provider=provider, start=datetime(2027, 3, 29, 9, tzinfo=PARIS),
                   client_name="After")
    rows = {row["Client name"]: row for row in export_rows(admin_client, fmt)}
    assert rows["Before"]["Start"] == "2027-03-26T09:00:00+01:00"
    assert rows["After"]["Start"] == "2027-03-29T09:00:00+02:00"
    assert rows["After"]["End"].startswith("2027-03-29T") and rows["After"]["End"].endswith("+02:00")
    assert rows["Before"]["Time zone"] == "Europe/Paris" and rows["Before"]["Status"] == "Confirmed"
    created = rows["Before"]["Created at"]
    assert "." not in created and created.endswith(("+01:00", "+02:00"))


def test_snippet_listings_say_yes_no_money_and_zoned_times(admin_client, service):
    from wagtail_booking.snippets.models import BusyBlock

    provider = service.providers.first()
    BusyBlock.objects.create(provider=provider, starts_at=datetime(2027, 3, 20, 14, tzinfo=ZoneInfo("UTC")),
                             ends_at=datetime(2027, 3, 20, 15, tzinfo=ZoneInfo("UTC")))
    services_html = admin_client.get("/admin/snippets/wagtail_booking/service/").content.decode()
    assert ">Yes<" in services_html.replace("\n", "").replace(" ", "") and "True" not in services_html
    assert money(service.price, "USD") in services_html
    blocks_html = admin_client.get("/admin/snippets/wagtail_booking/busyblock/").content.decode()
    assert when(datetime(2027, 3, 20, 14, tzinfo=ZoneInfo("UTC")), provider.timezone) in blocks_html


def test_editing_client_details_returns_to_the_page_and_is_in_its_history(admin_client, admin_user, service, monday):
    booking = BookingFactory(service=service, provider=service.providers.first(), start=ny(monday, 9))
    response = admin_client.post(f"/admin/bookings/edit/{booking.pk}/", {
        "client_name": "Zoe Renamed", "client_email": "zoe@example.com", "client_phone": "", "staff_notes": "VIP"})
    assert response.status_code == 302 and response["Location"] == f"/admin/bookings/inspect/{booking.pk}/"
    html = page(admin_client, booking)
    assert "Zoe Renamed" in html and f"<td>Edited</td><td>{admin_user.get_username()}</td>" in html
