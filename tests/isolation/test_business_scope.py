"""Superusers, staff in no business, actions and forms across businesses, groups, monthly reports per business."""

from datetime import UTC

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from wagtail.models import GroupSitePermission

from tests.reports.conftest import pdf_text
from wagtail_booking.bookings.models import Booking
from wagtail_booking.snippets.models import Service

pytestmark = pytest.mark.django_db


def test_superuser_sees_both_and_filters_by_business(client, world):
    client.force_login(world["superuser"])
    html = client.get("/admin/bookings/").content.decode()
    assert "Alpha Client" in html and "Bravo Client" in html and "Business" in html
    html = client.get("/admin/bookings/", {"site": world["B"].site.pk}).content.decode()
    assert "Bravo Client" in html and "Alpha Client" not in html
    url = reverse("wagtail_booking_reports:clients")
    both = client.get(url, {"period": "this_year"}).content.decode()
    assert "payer0@a.test" in both and "payer0@b.test" in both
    only_a = client.get(url, {"period": "this_year", "site": world["A"].site.pk}).content.decode()
    assert "payer0@a.test" in only_a and "payer0@b.test" not in only_a
    services = client.get("/admin/snippets/wagtail_booking/service/", {"site": world["A"].site.pk})
    assert "Alpha Massage" in services.content.decode() and "Bravo Massage" not in services.content.decode()


def test_a_single_business_owner_gets_no_business_filter(client, world):
    client.force_login(world["A"].owner)
    page = client.get(reverse("wagtail_booking_reports:revenue"))
    assert "site" not in page.context["filters"].form.fields
    assert "Alpha Client" in client.get("/admin/bookings/").content.decode()


def test_staff_in_no_business_see_nothing(client, world):
    client.force_login(world["nobody"])
    for url in ["/admin/bookings/", "/admin/snippets/wagtail_booking/service/",
                reverse("wagtail_booking_calendar_sync"), reverse("wagtail_booking_reports:clients"),
                reverse("wagtail_booking_reports:pdfs"), "/admin/"]:
        response = client.get(url, {"period": "this_year"})
        text = response.content.decode()
        assert "Alpha" not in text and "Bravo" not in text, url
    assert client.get(reverse("wagtail_booking_sms")).status_code in (302, 403)  # Wagtail: back to the dashboard
    assert client.get(f"/admin/bookings/inspect/{world['A'].booking.pk}/").status_code == 404


def test_actions_on_b_booking_are_refused_and_change_nothing(client, world):
    bravo = world["B"]
    client.force_login(world["A"].owner)
    before = Booking.objects.get(pk=bravo.request.pk)
    for action in ("approve", "decline", "cancel"):
        assert client.post(f"/admin/bookings/action/{bravo.request.pk}/{action}/").status_code == 404
    assert client.post(f"/admin/bookings/refund/{bravo.paid[1].pk}/", {"amount": "1.00"}).status_code == 404
    assert client.post(f"/admin/bookings/edit/{bravo.booking.pk}/", {
        "client_name": "Hijacked", "client_email": "x@example.com"}).status_code == 404
    assert client.post(f"/admin/snippets/wagtail_booking/service/delete/{bravo.service.pk}/").status_code == 404
    after = Booking.objects.get(pk=bravo.request.pk)
    assert (after.status, after.client_name) == (before.status, before.client_name) == ("requested",
                                                                                          "Bravo Requester")
    assert Booking.objects.get(pk=bravo.booking.pk).client_name == "Bravo Client"
    assert Service.objects.filter(pk=bravo.service.pk).exists()
    payment = bravo.paid[1].payments.get()
    assert payment.amount_refunded == 0
    # Wagtail's bulk delete of snippets neither lists nor deletes B's rows.
    bulk = "/admin/bulk/wagtail_booking/service/delete/"
    page = client.get(bulk, {"id": [bravo.service.pk]})
    assert "Bravo" not in page.content.decode()
    client.post(f"{bulk}?id={bravo.service.pk}&id=all")
    assert Service.objects.filter(pk=bravo.service.pk).exists()


def test_a_link_across_businesses_is_a_form_error(client, world):
    alpha, bravo = world["A"], world["B"]
    client.force_login(world["superuser"])
    url = f"/admin/snippets/wagtail_booking/service/edit/{alpha.service.pk}/"
    page = client.get(url)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"providers": [bravo.provider.pk], "intake_form": bravo.intake_form.pk, "cancellation_policy": ""})
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    # The service's page offers its own business's rows only, so another business's row is not a valid choice.
    assert "not one of the available choices" in str(errors["providers"])
    assert "not one of the available choices" in str(errors["intake_form"])
    assert list(Service.objects.get(pk=alpha.service.pk).providers.all()) == [alpha.provider]
    # The model says so too, for code that does not go through the form.
    service = Service.objects.get(pk=alpha.service.pk)
    service.intake_form = bravo.intake_form
    with pytest.raises(Exception, match="another business"):
        service.full_clean()
    # A's owner is not even offered B's rows.
    client.force_login(alpha.owner)
    form = client.get(url).context["form"]
    assert list(form.fields["providers"].queryset) == [alpha.provider]
    assert form.fields["site"].widget.is_hidden


def test_staff_booking_form_offers_only_the_users_business(client, world):
    client.force_login(world["A"].owner)
    form = client.get("/admin/bookings/new/").context["form"]
    assert list(form.fields["service"].queryset) == [world["A"].service]
    response = client.post("/admin/bookings/new/", {"service": world["B"].service.pk,
                                                     "provider": world["B"].provider.pk})
    assert response.status_code == 200 and "service" in response.context["form"].errors


def test_group_panel_gives_the_businesses(client, world):
    client.force_login(world["superuser"])
    group = Group.objects.get(name="alpha-owner group")
    page = client.get(f"/admin/groups/edit/{group.pk}/")
    assert "Businesses this group works in" in page.content.decode()


def test_monthly_report_per_business(world, settings, time_machine):
    from datetime import datetime

    from wagtail_booking.reports import jobs
    from wagtail_booking.reports.models import RevenueReport

    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "MONTHLY_REVENUE_EMAIL": True}
    world["A"].owner.email, world["B"].owner.email = "alpha@example.com", "bravo@example.com"
    world["A"].owner.save(), world["B"].owner.save()
    time_machine.move_to(datetime(2027, 4, 1, 12, tzinfo=UTC))
    jobs.send_monthly_report()
    by_subject = {message.subject: message for message in mail.outbox}
    alpha = next(m for s, m in by_subject.items() if "Alpha Site" in s)
    bravo = next(m for s, m in by_subject.items() if "Bravo Site" in s)
    assert "alpha@example.com" in alpha.to and "bravo@example.com" not in alpha.to
    assert "bravo@example.com" in bravo.to and "alpha@example.com" not in bravo.to
    text = pdf_text(alpha.attachments[0][1])
    assert "Alpha Business" in text and "Alpha Massage" in text and "Bravo" not in text
    assert RevenueReport.objects.filter(monthly=True, site=world["B"].site).count() == 1
    assert GroupSitePermission.objects.filter(site=world["B"].site).exists()
