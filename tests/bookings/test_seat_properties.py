"""Hypothesis: any sequence of booking, paying, cancelling and letting holds expire, against the real database,
never sells more seats than a class has, and the seats offered are always its capacity less the live seats."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.availability import available_slots
from wagtail_booking.bookings.models import Booking, ClassSession

pytestmark = pytest.mark.django_db
CAPACITY, MOST = 5, 3

steps = st.lists(st.one_of(
    st.tuples(st.just("book"), st.integers(1, MOST)),
    st.tuples(st.just("pay"), st.integers(0, 30)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("wait"), st.integers(1, 20)),  # minutes: holds last 15
), min_size=1, max_size=14)


@pytest.fixture
def paid_class(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_fake", "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_fake"  # payments can be taken: holds wait for them
    return ServiceFactory(providers=[ProviderFactory()], capacity=CAPACITY, max_seats_per_booking=MOST,
                          duration_minutes=60, slot_interval_minutes=60, price=Decimal("10.00"),
                          deposit_kind="fixed", deposit_value=Decimal("2.00"))


def live_seats(start, now):
    return sum(Booking.objects.blocking(now).filter(start=start, session__isnull=False).values_list("seats",
                                                                                                  flat=True))


def offered_seats(service, start, now):
    slots = available_slots(service, start - timedelta(hours=1), start + timedelta(hours=1), now=now)
    return next((slot.seats_left for slot in slots if slot.start == start), 0)


def check(service, start, now):
    for session in ClassSession.objects.filter(service=service):
        counted = Booking.objects.filter(session=session, status__in=Booking.BLOCKING_STATUSES)
        assert session.seats_taken == sum(counted.values_list("seats", flat=True)) <= session.capacity
    assert ClassSession.objects.filter(service=service, status="scheduled").count() <= 1
    assert offered_seats(service, start, now) == CAPACITY - live_seats(start, now)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_seats_are_never_oversold_and_seats_left_is_capacity_less_live_seats(paid_class, monday, steps):
    start, now = ny(monday, 10), timezone.now()
    client = services.ClientDetails(name="Client", email="client@example.com", timezone="America/New_York")
    with transaction.atomic():
        bookings = []
        for action, value in steps:
            if action == "book":
                free = CAPACITY - live_seats(start, now)
                try:
                    bookings.append(services.create_hold(paid_class, start, client, now=now, seats=value))
                    assert value <= free
                except services.SlotUnavailable:
                    assert value > free
            elif action == "pay" and bookings:
                try:
                    services.complete_hold(bookings[value % len(bookings)], now=now)
                except services.SlotUnavailable:
                    pass  # a cancelled hold, or an expired one whose seats were sold meanwhile
            elif action == "cancel" and bookings:
                try:
                    services.cancel(bookings[value % len(bookings)], by="staff", now=now)
                except services.NotAllowed:
                    pass  # already cancelled, or expired
            elif action == "wait":
                now += timedelta(minutes=value)
            check(paid_class, start, now)
        transaction.set_rollback(True)
