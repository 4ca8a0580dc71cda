"""A waitlist offer's text is sent for the business it is with, not the install's default one."""

from datetime import time

import pytest

from tests.businesses.conftest import make_business
from tests.factories.booking import ProviderFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.notifications.models import SmsMessage
from wagtail_booking.waitlist import lines

pytestmark = pytest.mark.django_db


def test_the_offer_text_goes_out_when_its_own_business_has_texts_on_and_the_default_one_not(
        business_a, business_b, monday, django_capture_on_commit_callbacks):
    business_a.settings.sms_enabled = False
    business_a.settings.save()
    business_b.settings.sms_enabled = True
    business_b.settings.save()
    provider = ProviderFactory(site=business_b.site, name="Noor", weekdays=[(0, time(9), time(9, 30))])
    service = make_business(business_b.site, "Northside evening").service
    service.providers.set([provider])
    service.save()
    taken = services.create_hold(service, ny(monday, 9), services.ClientDetails("Sam", "sam@example.com", "UTC"))
    waiter = lines.clean_waiter("Ana", "ana@example.com", "America/New_York", phone="+12025550143",
                                sms_consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        lines.join(lines.Want(service=service, day=monday), waiter)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(taken, by="staff")
    [text] = SmsMessage.objects.filter(kind="waitlist_offer")
    assert text.site == business_b.site
    assert text.status != SmsMessage.Status.FAILED and text.error_message == "" and text.provider_id
