"""The integrations endpoint books seats in a class, as the public hold does (a phone assistant booking for two)."""

import json
from decimal import Decimal

import pytest

from tests.api.conftest import bearer
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def yoga(site_a):
    return ServiceFactory(name="Yoga", providers=[ProviderFactory(name="Ines", site=site_a)], site=site_a,
                          capacity=12, max_seats_per_booking=4, price=Decimal("15.00"))


def book(client, key, service, start, seats):
    return client.post("/booking/api/integrations/bookings", data=json.dumps({
        "service": service.pk, "start": start.isoformat(), "name": "Pat Caller", "email": "pat@example.com",
        "timezone": "America/New_York", "seats": seats}), content_type="application/json", **bearer(key))


def test_a_caller_books_three_seats_and_a_fifth_is_refused_naming_seats(client, make_key, yoga, monday):
    key = make_key()
    response = book(client, key, yoga, ny(monday, 10), 3)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["seats"], body["price"], body["status"]) == (3, "45.00", "confirmed")
    booking = Booking.objects.get(reference=body["reference"])
    assert booking.seats == 3 and booking.session.seats_taken == 3
    refused = book(client, key, yoga, ny(monday, 10), 5)
    assert refused.status_code == 409 and "at most 4 seats" in refused.json()["detail"]
    assert booking.session.__class__.objects.get(pk=booking.session_id).seats_taken == 3


def test_a_business_adding_tax_on_top_answers_what_the_client_pays(client, make_key, site_a, monday):
    from wagtail_booking.snippets.prices import TaxRate

    hst = TaxRate.objects.create(name="HST", percent=Decimal("13"))
    service = ServiceFactory(name="Massage", providers=[ProviderFactory(name="Ines", site=site_a)], site=site_a,
                             price=Decimal("100.00"), tax_rate=hst)
    response = book(client, make_key(), service, ny(monday, 10), 1)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["price"], body["price_with_tax"]) == ("100.00", "113.00")
