"""Staff see clients' credit balances and grant or revoke them with a reason, which the history keeps."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from wagtail_booking.packages import credits
from wagtail_booking.packages.models import CreditPurchase, Package

pytestmark = pytest.mark.django_db


@pytest.fixture
def purchase(service):
    package = Package.objects.create(name="Five consultations", sessions=5, price=Decimal("200.00"))
    package.services.add(service)
    bought = CreditPurchase.objects.create(package=package, client_email="kim@example.com", sessions=5,
                                           value_per_session=Decimal("40.00"), currency="USD",
                                           expires_at=timezone.now() + timedelta(days=90))
    bought.entries.create(kind="granted", change=5, reason="Order 1")
    return bought


def test_staff_grant_and_revoke_with_a_reason(admin_client, purchase):
    listing = admin_client.get("/admin/booking/credits/?q=kim").content.decode()
    assert "kim@example.com" in listing and "Five consultations" in listing
    url = f"/admin/booking/credits/{purchase.pk}/"
    response = admin_client.post(url, {"action": "grant", "sessions": "2", "reason": "Missed session, our fault"})
    assert response.status_code == 302 and credits.balance_of(purchase) == 7
    response = admin_client.post(url, {"action": "revoke", "sessions": "9", "reason": "Typo"})
    assert response.status_code == 200 and "Only 7 credit(s) left to revoke." in response.content.decode()
    response = admin_client.post(url, {"action": "revoke", "sessions": "1", "reason": ""})
    assert response.status_code == 200 and credits.balance_of(purchase) == 7  # no reason, no change
    admin_client.post(url, {"action": "revoke", "sessions": "3", "reason": "Refunded by bank transfer"})
    assert credits.balance_of(purchase) == 4
    page = admin_client.get(url).content.decode()
    assert "Missed session, our fault" in page and "Refunded by bank transfer" in page and "Credits left: 4" in page
    logged = ModelLogEntry.objects.filter(object_id=str(purchase.pk)).order_by("pk")
    assert [(e.action, e.data["sessions"], e.data["reason"]) for e in logged] == [
        ("wagtail_booking.credits_granted", 2, "Missed session, our fault"),
        ("wagtail_booking.credits_revoked", 3, "Refunded by bank transfer")]
