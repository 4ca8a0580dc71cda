"""Two businesses on one install: A is the default site (host ``testserver``), B answers on ``localhost``."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from wagtail.models import Page, Site

from tests.factories.booking import ProviderFactory, ServiceFactory
from wagtail_booking.site_settings import BusinessSettings


@dataclass
class Business:
    site: Site
    service: object
    provider: object
    settings: BusinessSettings


def make_business(site, name, **settings):
    provider = ProviderFactory(site=site, name=f"{name} provider")
    service = ServiceFactory(site=site, name=f"{name} session", providers=[provider])
    config = BusinessSettings.for_site(site)
    config.business_name = name
    for field, value in settings.items():
        setattr(config, field, value)
    config.save()
    return Business(site, service, provider, config)


@pytest.fixture
def business_a(site_root):
    return make_business(Site.objects.get(is_default_site=True), "Harbour Wellness",
                         contact_email="hello@harbour.example")


@pytest.fixture
def business_b(site_root):
    home = Page.get_first_root_node().add_child(instance=Page(title="Northside", slug="northside"))
    site = Site.objects.create(hostname="localhost", port=80, root_page=home, site_name="Northside")
    return make_business(site, "Northside Physio", contact_email="desk@northside.example",
                         reminder_lead_hours="48")


@pytest.fixture
def paid_services(business_a, business_b, stripe_fake):
    """Each business's session asks for a $18.00 deposit."""
    for business in (business_a, business_b):
        business.service.price, business.service.deposit_kind = Decimal("90.00"), "fixed"
        business.service.deposit_value = Decimal("18.00")
        business.service.save()
    return business_a.service, business_b.service
