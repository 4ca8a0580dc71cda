"""Online appointments: the client gets the video link everywhere they look for the appointment."""

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.meetings import record_meeting_link, wants_calendar_meeting
from wagtail_booking.bookings.tokens import manage_token
from wagtail_booking.notifications.models import SmsMessage

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "+12125550123"
ZOOM = "https://zoom.example.com/j/5551234"
MEET = "https://meet.example.com/abc-defg-hij"


def book(service, monday, hour=10, language="en-gb"):
    client = services.ClientDetails("Ann", "ann@example.com", "America/New_York", phone=PHONE, sms_consent=True,
                                    language=language)
    return services.create_hold(service, ny(monday, hour), client)


def to_client(subject_start=""):
    return [m for m in mail.outbox if m.to == ["ann@example.com"] and m.subject.startswith(subject_start)]


def ics_location(message) -> str:
    body = next(content for name, content, _type in message.attachments if name.endswith(".ics"))
    event = next(c for c in Calendar.from_ical(body).walk("VEVENT"))
    return str(event.get("location", ""))


@pytest.fixture
def online(texting_service):
    texting_service.online = True
    texting_service.save()
    return texting_service


def test_the_providers_own_link_is_in_the_email_text_calendar_file_and_pages(client, twilio, online, provider,
                                                                             monday):
    provider.meeting_url = ZOOM
    provider.save()
    booking = book(online, monday)
    assert not wants_calendar_meeting(booking)  # the provider's link serves: no Meet or Teams is made
    confirmation = to_client("Your booking is confirmed")[0]
    assert f"Video link: {ZOOM}" in confirmation.body
    assert f'href="{ZOOM}"' in confirmation.alternatives[0][0]
    assert ics_location(confirmation) == ZOOM
    assert SmsMessage.objects.get(booking=booking, kind="confirmed").body.endswith(f"Video link: {ZOOM}")
    for name in ("booked", "manage"):
        page = client.get(reverse(f"wagtail_booking:{name}", args=[booking.reference, manage_token(booking)]))
        assert f'<a href="{ZOOM}"' in page.content.decode()


def test_an_appointment_in_person_says_nothing_of_video(client, twilio, texting_service, provider, monday):
    provider.meeting_url = ZOOM
    provider.save()
    booking = book(texting_service, monday)
    confirmation = to_client("Your booking is confirmed")[0]
    assert "Video" not in confirmation.body and ics_location(confirmation) == ""
    assert "Video" not in SmsMessage.objects.get(booking=booking).body
    page = client.get(reverse("wagtail_booking:manage", args=[booking.reference, manage_token(booking)]))
    assert "Video link" not in page.content.decode()


def test_a_link_made_by_the_calendar_is_sent_once_when_it_arrives(client, twilio, online, monday):
    booking = book(online, monday)
    assert wants_calendar_meeting(booking)
    assert "Video link: sent to you by email before the appointment" in to_client()[0].body
    staff = next(m for m in mail.outbox if m.to != ["ann@example.com"])
    assert "Video link: not made yet" in staff.body
    sent = len(mail.outbox)

    assert record_meeting_link(booking.pk, MEET)
    (link_email,) = mail.outbox[sent:]
    assert link_email.subject.startswith("Your video link: Consultation")
    assert f"Video link: {MEET}" in link_email.body and ics_location(link_email) == MEET
    text = SmsMessage.objects.get(booking=booking, kind="meeting_link")
    assert MEET in text.body and text.status != "failed"
    assert not record_meeting_link(booking.pk, MEET)  # the write-back ran again: nothing new to tell
    assert len(mail.outbox) == sent + 1
    page = client.get(reverse("wagtail_booking:manage", args=[booking.reference, manage_token(booking)]))
    assert f'<a href="{MEET}"' in page.content.decode()


def test_a_cancelled_booking_is_not_sent_a_link(twilio, online, monday):
    booking = book(online, monday)
    services.cancel(booking, by="client")
    sent = len(mail.outbox)
    record_meeting_link(booking.pk, MEET)
    assert len(mail.outbox) == sent and not SmsMessage.objects.filter(kind="meeting_link").exists()


def test_the_link_email_speaks_the_clients_language(twilio, online, monday):
    booking = book(online, monday, language="es")
    record_meeting_link(booking.pk, MEET)
    (link_email,) = to_client("Su enlace de vídeo: Consultation")
    assert f"Enlace de vídeo: {MEET}" in link_email.body
