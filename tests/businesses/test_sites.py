"""A site is a business: the public side sees only the host's business, and every message reads its own settings."""

import json
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from wagtail.models import Site

from tests.checkout.conftest import Checkout, far, stripe_client, stripe_fake, stripe_server  # noqa: F401
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking
from wagtail_booking.checkout import facade
from wagtail_booking.checkout.models import CancellationPolicy, CancellationTier
from wagtail_booking.notifications.sending import lead_minutes
from wagtail_booking.reports.models import Invoice

pytestmark = pytest.mark.django_db

B_HOST = "localhost"


def on(host=None):
    return Client(HTTP_HOST=host) if host else Client()


def hold(client, service, start, provider=None, email="ann@example.com"):
    body = {"service": service.pk, "start": start.isoformat(), "name": "Ann Lee", "email": email,
            "timezone": "America/New_York"}
    if provider is not None:
        body["provider"] = provider.pk
    return client.post("/booking/api/holds", data=json.dumps(body), content_type="application/json")


def test_each_host_lists_only_its_own_business(business_a, business_b):
    assert [s["name"] for s in on().get("/booking/api/services").json()] == ["Harbour Wellness session"]
    assert [s["name"] for s in on(B_HOST).get("/booking/api/services").json()] == ["Northside Physio session"]


def test_another_business_is_not_found_on_this_host(business_a, business_b, monday):
    b_slots = f"/booking/api/services/{business_b.service.pk}/slots"
    window = {"start": monday.isoformat(), "end": monday.isoformat(), "tz": "America/New_York"}
    assert on().get(b_slots, window).status_code == 404
    assert on(B_HOST).get(b_slots, window).status_code == 200
    assert hold(on(), business_b.service, ny(monday, 10)).status_code == 404
    # A's service with B's provider named: no such provider here either.
    assert hold(on(), business_a.service, ny(monday, 10), provider=business_b.provider).status_code == 404
    assert not Booking.objects.exists()


def test_a_booking_belongs_to_its_service_business_and_its_links_only_work_there(business_a, business_b, monday):
    response = hold(on(B_HOST), business_b.service, ny(monday, 10))
    assert response.status_code == 201, response.content
    body = response.json()
    booking = Booking.objects.get(reference=body["id"])
    assert booking.site == business_b.site and booking.status == Booking.Status.CONFIRMED
    manage = f"/booking/manage/{booking.reference}/{body['manage_token']}/"
    assert on(B_HOST).get(manage).status_code == 200
    assert on().get(manage).status_code == 404
    cancel = f"/booking/api/bookings/{booking.reference}/cancel"
    assert on().post(cancel, data=json.dumps({"token": body["manage_token"]}),
                     content_type="application/json").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_block_never_offers_another_business_service(business_a, business_b):
    from home.models import ContentPage

    root = Site.objects.get(is_default_site=True).root_page
    page = root.add_child(instance=ContentPage(title="Book", slug="book", body=json.dumps([
        {"type": "booking", "value": {"service": business_b.service.pk, "provider": None, "heading": "Physio",
                                      "intro": ""}}])))
    response = on().get(page.url)
    assert response.status_code == 200
    assert b'name="slot"' not in response.content
    assert on().post(f"/booking/book/{business_b.service.pk}/", {"name": "Ann"}).status_code == 404


def test_emails_speak_for_the_booking_business(business_a, business_b, monday, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = hold(on(B_HOST), business_b.service, ny(monday, 10))
    assert response.status_code == 201
    [email] = [m for m in mail.outbox if not m.subject.startswith("New booking")]  # the provider is told too
    assert "Northside Physio" in email.body and "Harbour Wellness" not in email.body
    assert "http://localhost/booking/manage/" in email.body  # B's own site, not the platform's base URL
    assert email.reply_to == ["desk@northside.example"]


def test_reminders_follow_the_business_settings(business_a, business_b):
    assert lead_minutes(business_a.site) == [1440, 60]
    assert lead_minutes(business_b.site) == [2880]


def test_refunds_follow_the_business_default_policy(business_a, business_b):
    strict = CancellationPolicy.objects.create(site=business_b.site, name="Nothing back inside a week")
    CancellationTier.objects.create(policy=strict, sort_order=0, hours_before=24 * 7, refund_percent=100)
    business_b.settings.default_cancellation_policy = strict
    business_b.settings.save()
    # Three days' notice: B's policy keeps everything, A (no policy) refunds in full.
    assert facade.policy_for(business_b.service).refund_for(Decimal("20"), 72) == 0
    assert facade.policy_for(business_a.service).refund_for(Decimal("20"), 72) == Decimal("20")


@pytest.mark.django_db(transaction=True)
def test_each_business_numbers_its_own_invoices(paid_services, stripe_client, monday):  # noqa: F811
    service_a, service_b = paid_services
    for host, service, hour in ((None, service_a, 10), (B_HOST, service_b, 10), (None, service_a, 12)):
        flow = Checkout(on(host), stripe_client, service)
        flow.hold(far(monday, hour), email=f"client{hour}@example.com")
        flow.open_payment_page()
        flow.pay()
        flow.come_back()
    numbers = {(invoice.site_id, invoice.number) for invoice in Invoice.objects.all()}
    a, b = service_a.site_id, service_b.site_id
    assert numbers == {(a, "INV-000001"), (a, "INV-000002"), (b, "INV-000001")}
    assert all(invoice.site_id == invoice.booking.site_id for invoice in Invoice.objects.select_related("booking"))
