"""Correctly signed Twilio callbacks with fields that do not fit: acknowledged and logged, never a 500."""

import logging

import pytest

from tests.notifications.test_sms import PHONE, book, signed_post
from wagtail_booking.notifications.models import SmsMessage, SmsOptOut

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("params", [
    {"MessageStatus": "delivered"},  # no MessageSid
    {"MessageSid": "SM" + "0" * 100, "MessageStatus": "delivered"},  # longer than any id we store
    {"MessageSid": "SM\u0000", "MessageStatus": "delivered"},
    {"MessageSid": "", "MessageStatus": "failed", "ErrorCode": "21610"},
])
def test_status_callbacks_without_a_usable_message_id_are_acknowledged(client, twilio, params, caplog):
    with caplog.at_level(logging.WARNING, logger="wagtail_booking.notifications.views"):
        response = signed_post(client, "/booking/sms/status/", params)
    assert response.status_code == 204
    assert "without a usable MessageSid" in caplog.text


@pytest.mark.parametrize("error_code", ["2" * 40, "21610\u0000", "not-a-number"])
def test_an_unreadable_error_code_is_dropped_and_the_status_still_recorded(client, twilio, texting_service,
                                                                            monday, error_code):
    message = SmsMessage.objects.get(booking=book(texting_service, monday))
    response = signed_post(client, "/booking/sms/status/", {"MessageSid": message.provider_id,
                                                            "MessageStatus": "undelivered", "ErrorCode": error_code})
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == "undelivered" and message.error_code == ""
    assert not SmsOptOut.is_opted_out(PHONE)


@pytest.mark.parametrize("params, opted_out", [
    ({"Body": "STOP"}, []),  # no From
    ({"From": "+1" + "2" * 300, "Body": "STOP"}, []),
    ({"From": PHONE + "\u0000", "Body": "STOP"}, [PHONE]),  # phonenumbers reads the number and drops the rest
    ({"From": PHONE, "Body": "STOP\u0000" + "x" * 5000, "OptOutType": "\u0000"}, []),
])
def test_inbound_messages_with_odd_fields_are_answered_with_empty_twiml(client, twilio, params, opted_out):
    response = signed_post(client, "/booking/sms/inbound/", params)
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    assert list(SmsOptOut.objects.filter(opted_out=True).values_list("phone", flat=True)) == opted_out
