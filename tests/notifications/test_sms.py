"""Texts through the real twilio SDK and the loopback fake; webhooks with Twilio signatures."""

from decimal import Decimal

import pytest
from django.utils import timezone
from twilio.request_validator import RequestValidator

from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.notifications.models import SmsMessage, SmsOptOut
from wagtail_booking.notifications.sending import deliver_sms, record_status
from wagtail_booking.notifications.sms import SmsError

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "+12125550123"


def book(service, monday, hour=10, consent=True, phone=PHONE):
    client = services.ClientDetails("Ann", "ann@example.com", "America/New_York", phone=phone, sms_consent=consent)
    return services.create_hold(service, ny(monday, hour), client)


def signed_post(client, path, params, token="twilio-secret"):
    url = f"http://testserver{path}"
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_confirmation_text_goes_through_twilio(twilio, texting_service, monday):
    booking = book(texting_service, monday)
    message = SmsMessage.objects.get(booking=booking)
    assert message.kind == "confirmed" and message.to == PHONE and message.provider_id.startswith("SM")
    sent = twilio.messages[message.provider_id]
    assert sent["to"] == PHONE and sent["from"] == "+15005550006"
    assert sent["body"].startswith("Harbour Wellness:") and booking.reference in sent["body"]
    assert sent["status_callback"].endswith("/booking/sms/status/")


def test_no_text_without_consent_or_with_sms_off(twilio, texting_service, monday):
    book(texting_service, monday, 10, consent=False)
    assert not SmsMessage.objects.exists()
    from wagtail_booking.site_settings import BusinessSettings

    BusinessSettings.objects.update(sms_enabled=False)
    book(texting_service, monday, 11)
    assert not SmsMessage.objects.exists() and not twilio.messages


def test_stop_reply_opts_out_and_start_opts_back_in(client, twilio, texting_service, monday):
    response = signed_post(client, "/booking/sms/inbound/", {"From": PHONE, "Body": "STOP", "OptOutType": "STOP"})
    assert response.status_code == 200 and b"<Response>" in response.content
    assert SmsOptOut.is_opted_out(PHONE)
    book(texting_service, monday)
    assert not SmsMessage.objects.exists()  # nothing sent to an opted-out number
    signed_post(client, "/booking/sms/inbound/", {"From": PHONE, "Body": "start"})
    assert not SmsOptOut.is_opted_out(PHONE)


def test_unsigned_or_badly_signed_webhooks_are_rejected(client, twilio):
    assert client.post("/booking/sms/inbound/", {"From": PHONE, "Body": "STOP"}).status_code == 403
    response = signed_post(client, "/booking/sms/inbound/", {"From": PHONE, "Body": "STOP"}, token="wrong")
    assert response.status_code == 403 and not SmsOptOut.objects.exists()
    assert client.post("/booking/sms/status/", {"MessageSid": "SMx", "MessageStatus": "delivered"}).status_code == 403


def test_error_21610_marks_the_number_opted_out_and_is_never_retried(twilio, texting_service, monday):
    twilio.opted_out.add(PHONE)
    booking = book(texting_service, monday)
    message = SmsMessage.objects.get(booking=booking)
    assert message.status == "failed" and message.error_code == "21610" and message.attempts == 1
    assert SmsOptOut.is_opted_out(PHONE)
    assert deliver_sms(message.pk).attempts == 1  # a retry does nothing


def test_server_errors_are_retried_then_marked_failed(twilio, texting_service, monday):
    twilio.fail_next(10, status=500)
    booking = book(texting_service, monday, consent=False)
    message = SmsMessage.objects.create(booking=booking, kind="confirmed", to=PHONE, body="Hi")
    with pytest.raises(SmsError):
        deliver_sms(message.pk)
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 1
    twilio.reset()
    assert deliver_sms(message.pk).status == "queued" and SmsMessage.objects.get(pk=message.pk).provider_id
    twilio.fail_next(10, status=500)
    other = SmsMessage.objects.create(booking=booking, kind="confirmed", to=PHONE, body="Hi")
    assert deliver_sms(other.pk, final_attempt=True).status == "failed"


def test_status_callbacks_only_move_forward_and_fetch_the_price(client, twilio, texting_service, monday):
    message = SmsMessage.objects.get(booking=book(texting_service, monday))
    twilio.deliver(message.provider_id, "delivered")
    sid = message.provider_id
    assert signed_post(client, "/booking/sms/status/", {"MessageSid": sid, "MessageStatus": "delivered"}
                       ).status_code == 204
    signed_post(client, "/booking/sms/status/", {"MessageSid": sid, "MessageStatus": "sent"})  # late, older
    signed_post(client, "/booking/sms/status/", {"MessageSid": sid, "MessageStatus": "sending"})
    message.refresh_from_db()
    assert message.status == "delivered"
    assert message.price == Decimal("0.00790") and message.price_unit == "USD"


def test_status_record_function_ignores_unknown_messages():
    assert record_status("SMunknown", "delivered") is None


def test_sms_can_only_be_switched_on_after_a_test_message(admin_client, settings, twilio_server, site_root):
    from wagtail.models import Site

    from wagtail_booking.site_settings import BusinessSettings

    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "SMS_BACKEND": {
        "BACKEND": "wagtail_booking.notifications.sms.twilio.TwilioBackend"}}
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/wagtail_booking/businesssettings/{site.pk}/"
    form = {"business_name": "Harbour", "sms_enabled": "on", "reminder_lead_hours": "24,1", "address": "",
            "waitlist_offer_minutes": "120",
            "contact_email": "", "contact_phone": ""}
    response = admin_client.post(url, form)
    assert "Twilio credentials are not set: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN." in response.content.decode()
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "ACtest", "twilio-secret"
    settings.TWILIO_FROM_NUMBER, settings.TWILIO_API_BASE = "+15005550006", twilio_server.url
    response = admin_client.post(url, form)
    assert "Send a test message first" in response.content.decode()
    assert not BusinessSettings.for_site(site).sms_enabled
    response = admin_client.post("/admin/booking/sms/", {"phone": "(212) 555-0100"}, follow=True)
    assert "Test message sent to +12125550100" in response.content.decode()
    admin_client.post(url, form)
    assert BusinessSettings.for_site(site).sms_enabled


def test_admin_shows_messages_and_cost_per_month(admin_client, twilio, texting_service, monday):
    message = SmsMessage.objects.get(booking=book(texting_service, monday))
    SmsMessage.objects.filter(pk=message.pk).update(status="delivered", price=Decimal("0.0079"))
    SmsMessage.objects.create(kind="reminder", to=PHONE, body="x", status="failed", error_code="30003",
                              error_message="Unreachable destination handset")
    html = admin_client.get("/admin/booking/sms/").content.decode()
    assert timezone.now().strftime("%B %Y") in html and "0.00790" in html
    assert "Unreachable destination handset" in html


def test_a_queued_text_is_not_sent_after_the_booking_was_cancelled(twilio, texting_service, monday):
    booking = book(texting_service, monday, consent=False)
    message = SmsMessage.objects.create(booking=booking, kind="confirmed", to=PHONE, body="See you")
    services.cancel(booking, by="staff")
    message = deliver_sms(message.pk)
    assert message.status == "failed" and "cancelled" in message.error_message and not twilio.messages


def test_texts_show_the_clients_own_time(twilio, texting_service, monday):
    client = services.ClientDetails("Kenji", "k@example.com", "Asia/Tokyo", phone=PHONE, sms_consent=True)
    booking = services.create_hold(texting_service, ny(monday, 10), client)
    body = SmsMessage.objects.get(booking=booking).body
    tokyo = booking.start.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert tokyo.strftime("%H:%M") in body and tokyo.strftime("%-d %b") in body


def test_twilio_webhooks_refuse_everything_without_an_auth_token(client, twilio, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = signed_post(client, "/booking/sms/inbound/", {"From": PHONE, "Body": "STOP"}, token="")
    assert response.status_code == 403 and not SmsOptOut.objects.exists()


def test_staff_bookings_can_carry_sms_consent_and_opt_outs_are_listed(admin_client, twilio, texting_service,
                                                                       provider, monday):
    response = admin_client.post("/admin/bookings/new/", {
        "service": texting_service.pk, "provider": provider.pk, "start": f"{monday.isoformat()} 11:00",
        "client_name": "Phone Booker", "client_email": "pb@example.com", "client_phone": "(212) 555-0123",
        "sms_consent": "on", "client_timezone": "America/New_York", "staff_notes": ""})
    assert response.status_code == 302
    assert SmsMessage.objects.get(booking__client_name="Phone Booker").kind == "confirmed"
    SmsOptOut.objects.create(phone="+12125550199", reason="replied STOP")
    assert "+12125550199" in admin_client.get("/admin/booking/sms/").content.decode()
