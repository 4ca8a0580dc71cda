"""Staff notifications: who is told about what, in which zone and words; opt-outs, texts and rollbacks."""

import re
from datetime import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.db import transaction
from wagtail.models import Site

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.checkout import settlement
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.notifications.models import SmsMessage
from wagtail_booking.notifications.sms import locmem
from wagtail_booking.outbox.models import OutboxMessage
from wagtail_booking.site_settings import BusinessSettings

pytestmark = pytest.mark.django_db
OWNER = "owner@harbour.example"


@pytest.fixture
def business(site_root):
    config = BusinessSettings.for_site(Site.objects.get(is_default_site=True))
    config.business_name, config.time_zone = "Harbour Wellness", "America/New_York"
    config.staff_notify_emails = f"{OWNER}\nDesk@Harbour.example"
    config.save()
    return config


@pytest.fixture
def maya(business):
    # A provider in another zone than the business: her emails are in her zone, the owners' in the business's.
    return ProviderFactory(name="Maya", email="maya@harbour.example", phone="+1 212 555 0199",
                           timezone="America/Los_Angeles", weekdays=[(day, time(6), time(20)) for day in range(7)])


@pytest.fixture
def massage(maya):
    return ServiceFactory(name="Massage", providers=[maya], price=Decimal("80.00"))


def client(name="Ann Lee", phone=""):
    return services.ClientDetails(name, "ann@example.com", "Europe/London", phone=phone)


def book(service, start, capture):
    with capture(execute=True):
        return services.create_hold(service, start, client())


def staff_mail(to=None):
    return [m for m in mail.outbox if m.to != ["ann@example.com"] and (to is None or m.to == [to])]


def test_a_new_booking_is_emailed_to_the_provider_in_her_zone_and_to_the_owners_in_the_business_zone(
        massage, monday, django_capture_on_commit_callbacks):
    booking = book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in staff_mail()) == sorted(["Desk@Harbour.example", OWNER, "maya@harbour.example"])
    [to_maya] = staff_mail("maya@harbour.example")
    assert to_maya.subject.startswith("New booking: Massage, Ann Lee, ")
    assert "07:00 (America/Los_Angeles)" in to_maya.subject and "07:00 (America/Los_Angeles)" in to_maya.body
    assert booking.reference in to_maya.body and "$80.00" in to_maya.body
    assert f"/admin/bookings/inspect/{booking.pk}/" in to_maya.body
    assert f"/admin/snippets/wagtail_booking/provider/edit/{maya_pk(booking)}/" in to_maya.body  # her choices
    [to_owner] = staff_mail(OWNER)
    assert "10:00 (America/New_York)" in to_owner.subject
    assert "/admin/settings/wagtail_booking/businesssettings/" in to_owner.body  # the owners' choices
    html = to_owner.alternatives[0][0]
    assert "Ann Lee" in html and "10:00 (America/New_York)" in html and "Approve" not in html
    # The client's own confirmation still goes, once, to the client only.
    assert [m.subject.split(":")[0] for m in mail.outbox if m.to == ["ann@example.com"]] == [
        "Your booking is confirmed"]


def maya_pk(booking):
    return booking.provider_id


def test_each_person_is_told_only_what_they_chose(massage, maya, business, monday,
                                                   django_capture_on_commit_callbacks):
    maya.notify_events = "cancelled"
    maya.save()
    business.staff_notify_events = "requested,payment_failed"
    business.save()
    booking = book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    assert staff_mail() == []  # nobody asked about new bookings
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(booking, by="staff")
    assert [(m.to, m.subject.split(":")[0]) for m in staff_mail()] == [(["maya@harbour.example"], "Cancelled")]


def test_a_provider_without_an_email_gets_no_email_and_the_owners_still_do(
        massage, maya, monday, django_capture_on_commit_callbacks):
    maya.email = ""
    maya.save()
    book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in staff_mail()) == ["Desk@Harbour.example", OWNER]


def test_nothing_is_sent_for_a_change_that_rolled_back(massage, monday, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.create_hold(massage, ny(monday, 10), client())
        assert OutboxMessage.objects.filter(task__endswith="send_staff_email_task").count() == 3
        raise RuntimeError("the request failed after the booking")
    assert not Booking.objects.exists() and not OutboxMessage.objects.exists() and mail.outbox == []


def test_a_request_email_carries_links_that_open_the_confirmation_page_and_never_act_by_themselves(
        massage, monday, admin_client, django_capture_on_commit_callbacks):
    massage.booking_mode = "request"
    massage.save()
    booking = book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    [email] = staff_mail(OWNER)
    assert email.subject.startswith("Request awaiting approval: Massage, Ann Lee")
    approve, decline = re.findall(r"(?:Approve|Decline): (http://\S+)", email.body)
    assert approve in email.alternatives[0][0] and decline in email.alternatives[0][0]
    path = urlsplit(approve).path
    page = admin_client.get(path)
    assert page.status_code == 200 and "Yes: Approve" in page.content.decode()
    assert "The booking is confirmed and the client is told by email." in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == "requested"  # opening the link changed nothing
    form_action = re.search(r'<form method="post" action="([^"]+)"', page.content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(form_action).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    # Approving is staff's own doing: no "new booking" email about it; the link now just opens the booking.
    assert not [m for m in staff_mail() if m.subject.startswith("New booking")]
    again = admin_client.get(path)
    assert again.status_code == 302 and again.url == f"/admin/bookings/inspect/{booking.pk}/"
    decline_page = admin_client.get(urlsplit(decline).path)
    assert decline_page.status_code == 302  # no longer awaiting approval


def test_an_altered_or_old_link_is_refused_with_a_sentence(admin_client, admin_user, massage, monday, time_machine,
                                                            django_capture_on_commit_callbacks):
    massage.booking_mode = "request"
    massage.save()
    book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    [email] = staff_mail(OWNER)
    decline = re.search(r"Decline: https?://[^/\s]+(\S+)", email.body).group(1)
    tampered = admin_client.get(decline[:-3] + "xyz/")
    assert tampered.status_code == 400 and "incomplete or was changed" in tampered.content.decode()
    time_machine.shift(60 * 60 * 24 * 31)
    admin_client.force_login(admin_user)  # the session expired meanwhile
    old = admin_client.get(decline)
    assert old.status_code == 400 and "more than a month old" in old.content.decode()


def test_a_link_needs_signing_in(client, massage, monday, django_capture_on_commit_callbacks):
    massage.booking_mode = "request"
    massage.save()
    book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    [email] = staff_mail(OWNER)
    approve = re.search(r"Approve: https?://[^/\s]+(\S+)", email.body).group(1)
    response = client.get(approve)
    assert response.status_code == 302 and "/admin/login/" in response.url
    with pytest.raises(signing.BadSignature):
        signing.loads(approve.split("/")[-2], salt="another purpose")


def test_declining_is_not_announced_to_staff_but_a_client_cancellation_is(
        massage, monday, django_capture_on_commit_callbacks):
    massage.booking_mode = "request"
    massage.save()
    request = book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    booked = book(massage, ny(monday, 14), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decline(request)
        services.cancel(booked, by="client")
    subjects = sorted(m.subject for m in staff_mail("maya@harbour.example"))
    assert len(subjects) == 1 and subjects[0].startswith("Cancelled: Massage, Ann Lee, Mon")
    assert "11:00 (America/Los_Angeles)" in subjects[0]


def test_a_move_says_the_new_time_and_the_old_one(massage, monday, django_capture_on_commit_callbacks):
    booking = book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule(booking, ny(monday, 15), by="client")
    [email] = staff_mail("maya@harbour.example")
    assert email.subject.startswith("Moved: Massage, Ann Lee, now ") and "12:00 (America/Los_Angeles)" in email.subject
    assert "it was on" in email.body and "07:00 (America/Los_Angeles)" in email.body


def test_a_failed_capture_tells_the_owners_once(massage, maya, business, monday,
                                                django_capture_on_commit_callbacks):
    maya.notify_events = "booked"  # Maya did not ask about payment problems
    maya.save()
    booking = book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
    payment = BookingPayment.objects.create(booking=booking, basket_id=1, order_number="100001",
                                            payment_intent_id="pi_staff_1", amount=Decimal("20.00"), currency="USD",
                                            state=BookingPayment.State.AUTHORISED)
    mail.outbox.clear()
    problem = settlement.facade.PaymentProblem("Your card was declined.")
    for _attempt in range(2):  # the hourly retry fails the same way
        with django_capture_on_commit_callbacks(execute=True):
            settlement._record_capture_failure(payment, problem)
    assert sorted(m.to[0] for m in staff_mail()) == ["Desk@Harbour.example", OWNER]
    [email] = staff_mail(OWNER)
    assert email.subject == f"Payment problem: booking {booking.reference}, Ann Lee"
    assert "Your card was declined." in email.body


class TestTexts:
    @pytest.fixture
    def texts_on(self, business, settings):
        settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "SMS_BACKEND": {
            "BACKEND": "wagtail_booking.notifications.sms.locmem.LocmemBackend"}}
        business.sms_enabled = True
        business.save()
        locmem.outbox.clear()
        return business

    def test_a_provider_who_agreed_gets_a_text(self, texts_on, massage, maya, monday,
                                               django_capture_on_commit_callbacks):
        maya.notify_by_sms = True
        maya.save()
        booking = book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
        [text] = SmsMessage.objects.filter(kind="staff_booked")
        assert text.to == "+12125550199" and text.booking == booking
        assert text.body.startswith("New booking: Massage, Ann Lee, ") and "07:00 (America/Los_Angeles)" in text.body
        assert [sent["to"] for sent in locmem.outbox] == ["+12125550199"]

    def test_no_text_without_her_consent(self, texts_on, massage, monday, django_capture_on_commit_callbacks):
        book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
        assert not SmsMessage.objects.filter(kind__startswith="staff_").exists() and locmem.outbox == []

    def test_no_text_when_the_business_has_texts_off(self, business, massage, maya, monday,
                                                     django_capture_on_commit_callbacks):
        maya.notify_by_sms = True
        maya.save()
        book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
        assert not SmsMessage.objects.filter(kind__startswith="staff_").exists()

    def test_a_cancellation_text_is_sent_although_the_booking_is_cancelled(
            self, texts_on, massage, maya, monday, django_capture_on_commit_callbacks):
        maya.notify_by_sms = True
        maya.save()
        booking = book(massage, ny(monday, 10), django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel(booking, by="client")
        text = SmsMessage.objects.get(kind="staff_cancelled")
        assert text.status != SmsMessage.Status.FAILED and text.body.startswith("Cancelled: Massage")


def test_owner_addresses_are_checked_when_saved(admin_client, business):
    from wagtail_booking.site_settings import BusinessSettingsForm

    form_class = type("F", (BusinessSettingsForm,), {"Meta": type("Meta", (), {
        "model": BusinessSettings, "fields": ["staff_notify_emails", "staff_notify_events", "reminder_lead_hours"]})})
    form = form_class({"staff_notify_emails": "a@example.com, not-an-address", "staff_notify_events": ["booked"],
                       "reminder_lead_hours": "24"}, instance=business)
    assert not form.is_valid()
    assert "“not-an-address” is not an email address" in form.errors["staff_notify_emails"][0]
    form = form_class({"staff_notify_emails": "a@example.com, B@example.com;a@example.com",
                       "staff_notify_events": ["requested", "booked"], "reminder_lead_hours": "24"}, instance=business)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.staff_notify_emails == "a@example.com\nB@example.com"
    assert saved.staff_notify_events == "booked,requested"
