"""Staff see gift cards by their last four characters and adjust a balance with a reason, never below zero."""

from decimal import Decimal

import pytest
from django.urls import reverse

from wagtail_booking.businesses import default_site_id
from wagtail_booking.giftcards import ledger

pytestmark = pytest.mark.django_db


def test_staff_list_and_adjust_a_card(client, django_user_model, site_root):
    card, code = ledger.issue(default_site_id(), "USD", Decimal("40.00"), to_name="Alex")
    staff = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(staff)
    listing = client.get(reverse("wagtail_booking_giftcards")).content.decode()
    assert f"····{card.last4}" in listing and code not in listing and "US$40.00" in listing
    url = reverse("wagtail_booking_giftcard", args=[card.pk])
    response = client.post(url, {"amount": "-5.25", "reason": "Paid part in the shop"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.balance == Decimal("34.75")
    entry = card.entries.last()
    assert (entry.kind, entry.amount, entry.reason, entry.user) == ("adjusted", Decimal("-5.25"),
                                                                    "Paid part in the shop", staff)
    too_much = client.post(url, {"amount": "-100", "reason": "Oops"})
    assert too_much.status_code == 400 and "it cannot go below zero" in too_much.content.decode()
    no_reason = client.post(url, {"amount": "5", "reason": ""})
    assert no_reason.status_code == 400 and "This field is required." in no_reason.content.decode()
    page = client.get(url).content.decode()
    assert "Paid part in the shop" in page and "US$34.75" in page
    card.refresh_from_db()
    assert card.balance == Decimal("34.75")
