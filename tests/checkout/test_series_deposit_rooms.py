"""A series of a service with a deposit that also needs a room: every held appointment holds its room, and the
later ones, reserved until their deposits are due, keep it from other services of the pool meanwhile."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.checkout.test_series_deposits import book_series, far, pay, rows
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory, pool_of
from wagtail_booking.bookings.availability import available_slots

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_appointment_holds_its_room_until_paid_or_released(client, stripe_client, provider, stripe_fake,
                                                                monday):
    room = ResourceFactory(name="Cedar room")
    pool = pool_of(room)
    massage = ServiceFactory(name="Massage", providers=[provider], duration_minutes=60, price=Decimal("90.00"),
                             deposit_kind="percent", deposit_value=Decimal("20"), allow_series=True,
                             resource_pool=pool)
    facial = ServiceFactory(name="Facial", providers=[ProviderFactory()], duration_minutes=60, resource_pool=pool)
    data = book_series(client, massage, far(monday), count=3)
    assert data["next_step"] == "payment"
    first, *later = rows(data)
    assert [(row.status, row.resource_id) for row in (first, *later)] == [("held", room.pk)] * 3
    pay(client, stripe_client, massage, first.reference, data["checkout_url"])
    for row in (first, *later):
        row.refresh_from_db()
    assert first.status == "confirmed" and first.resource_id == room.pk
    assert [(row.status, row.deposit_step, row.resource_id) for row in later] == [("held", "reserved", room.pk)] * 2
    # Another service of the pool, with its own free provider, cannot have the room at a reserved appointment.
    for row in later:
        facial_starts = {slot.start for slot in available_slots(facial, row.start - timedelta(hours=1),
                                                                row.start + timedelta(hours=2))}
        assert row.start not in facial_starts and row.start + timedelta(hours=1) in facial_starts
