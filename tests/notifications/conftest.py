import pytest
from fakes.twilio_server import FakeTwilio

from tests.factories.booking import ServiceFactory
from wagtail_booking.site_settings import BusinessSettings

TWILIO = {"BACKEND": "wagtail_booking.notifications.sms.twilio.TwilioBackend"}


@pytest.fixture(scope="session")
def twilio_server():
    fake = FakeTwilio()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio(twilio_server, settings, site_root):
    """The real twilio SDK against the loopback fake, SMS switched on for the site."""
    twilio_server.reset()
    settings.TWILIO_ACCOUNT_SID = "ACtest0000000000000000000000000000"
    settings.TWILIO_AUTH_TOKEN = "twilio-secret"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE = twilio_server.url
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "SMS_BACKEND": TWILIO}
    from wagtail.models import Site

    config = BusinessSettings.for_site(Site.objects.get(is_default_site=True))
    config.business_name, config.sms_enabled = "Harbour Wellness", True
    config.save()
    return twilio_server


@pytest.fixture
def texting_service(provider):
    return ServiceFactory(name="Consultation", providers=[provider])
