"""Two businesses (Wagtail sites) and API keys for them."""

import pytest
from wagtail.models import Page, Site

# The Stripe and Twilio fakes, for the voice-agent flow (fixtures of other test folders, shared by import).
from tests.checkout.conftest import massage, stripe_client, stripe_fake, stripe_server  # noqa: F401
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.notifications.conftest import twilio, twilio_server  # noqa: F401
from wagtail_booking.api.keys import create_key


@pytest.fixture
def site_a(db):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def site_b(db, settings):
    settings.ALLOWED_HOSTS = ["*"]
    home = Page.get_first_root_node().get_children().first()
    return Site.objects.create(hostname="b.example", port=80, root_page=home, site_name="Business B")


@pytest.fixture
def service_b(site_b):
    provider = ProviderFactory(name="Bea", site=site_b)
    return ServiceFactory(name="B's consultation", providers=[provider], site=site_b)


@pytest.fixture
def make_key(site_a):
    """``make_key(scopes, site=site_a)`` -> the full key (as a client sends it)."""

    def make(scopes=("read", "book", "manage"), site=None, name="Phone assistant"):
        return create_key(site or site_a, name, scopes)[1]

    return make


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
