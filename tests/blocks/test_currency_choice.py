"""The booking block's "let the client choose the currency": offered only where the editor allowed it."""

import json
import re
from decimal import Decimal

import pytest
from home.models import ContentPage
from wagtail.models import Site

from tests.factories.booking import ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking
from wagtail_booking.site_settings import BusinessSettings
from wagtail_booking.snippets.prices import ServicePrice

pytestmark = pytest.mark.django_db


@pytest.fixture
def physio(provider, site_root):
    site = Site.objects.get(is_default_site=True)
    BusinessSettings.objects.update_or_create(site=site, defaults={"currency": "CAD"})
    service = ServiceFactory(name="Physio", providers=[provider], price=Decimal("120.00"))
    ServicePrice.objects.create(service=service, currency="USD", price=Decimal("90.00"))
    return service


def page_with(site_root, service, currency_choice):
    page = site_root.add_child(instance=ContentPage(title="Book", slug=f"book-{currency_choice}", body=json.dumps([
        {"type": "booking", "value": {"service": service.pk, "provider": None, "heading": "Book physio",
                                     "currency_choice": currency_choice}}])))
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": page, "hostname": "testserver",
                                                                  "port": 80})
    return page


def form_data(monday, **extra):
    return {"slot": f"{ny(monday, 10).isoformat()}|", "timezone": "America/Toronto", "name": "Ann Client",
            "email": "ann@example.com", "phone": "", "next": "/", **extra}


def test_client_chooses_the_currency_where_the_editor_allows_it(client, site_root, physio, monday):
    page_with(site_root, physio, currency_choice=True)
    html = client.get("/", {"booking_service": physio.pk, "booking_date": monday.isoformat()}).content.decode()
    options = re.findall(r'<option value="(CAD|USD)"[^>]*>([^<]*)</option>', html)
    assert [code for code, _label in options] == ["CAD", "USD"]
    assert "price US$90.00" in dict(options)["USD"] and "price CA$120.00" in dict(options)["CAD"]
    token = re.search(r'name="currency_choice" value="([^"]+)"', html).group(1)
    response = client.post(f"/booking/book/{physio.pk}/", form_data(monday, currency="USD", currency_choice=token))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.currency, booking.price) == ("USD", Decimal("90.00"))


def test_without_the_option_the_business_currency_only(client, site_root, physio, monday):
    page_with(site_root, physio, currency_choice=False)
    html = client.get("/", {"booking_service": physio.pk, "booking_date": monday.isoformat()}).content.decode()
    assert 'name="currency"' not in html
    # A currency posted anyway (an old page, a hand-made request, a forged choice) is refused with a message.
    for extra in ({"currency": "USD"}, {"currency": "USD", "currency_choice": "forged"}):
        response = client.post(f"/booking/book/{physio.pk}/", form_data(monday, **extra))
        assert response.status_code == 400
        assert "This page books in CAD only." in response.content.decode()
    assert not Booking.objects.exists()
    response = client.post(f"/booking/book/{physio.pk}/", form_data(monday))
    assert response.status_code == 302
    assert Booking.objects.get().currency == "CAD"


def test_a_choice_token_of_another_service_does_not_open_the_choice(client, site_root, physio, provider, monday):
    from wagtail_booking.blocks.forms import currency_choice_token

    other = ServiceFactory(name="Other", providers=[provider])
    response = client.post(f"/booking/book/{physio.pk}/",
                           form_data(monday, currency="USD", currency_choice=currency_choice_token(other)))
    assert response.status_code == 400 and not Booking.objects.exists()


def test_one_label_and_only_current_codes(client, site_root, physio, monday):
    page_with(site_root, physio, currency_choice=True)
    html = client.get("/").content.decode()
    assert len(re.findall(r">\s*Currency\b", html)) == 1  # the field's label, no legend repeating it
    assert "The deposit and the price are in the currency you choose" in html


def test_a_free_service_offers_no_currency_choice(client, site_root, provider, monday):
    """Every option would read "price 0.00": the business's currency applies, and no list is shown."""
    site = Site.objects.get(is_default_site=True)
    BusinessSettings.objects.update_or_create(site=site, defaults={"currency": "CAD"})
    free = ServiceFactory(name="Chat", providers=[provider], price=Decimal("0.00"))
    ServicePrice.objects.create(service=free, currency="USD", price=Decimal("0.00"))
    page_with(site_root, free, currency_choice=True)
    html = client.get("/").content.decode()
    assert 'name="currency"' not in html and "CA$0.00" not in html
    client.post(f"/booking/book/{free.pk}/", form_data(monday))
    assert Booking.objects.get().currency == "CAD"
