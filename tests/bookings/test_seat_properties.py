"""Hypothesis: any sequence of booking, paying, cancelling and letting holds expire, against the real database,
never sells more seats than a class has, and the seats offered are always its capacity less the live seats. The
class needs the one studio of a pool it shares with a one-to-one service: whichever takes the studio first keeps
it, and the two never hold it at once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory, pool_of
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
    st.tuples(st.just("rival"), st.just(0)),  # a one-to-one booking wants the studio at the class's time
), min_size=1, max_size=14)


@pytest.fixture
def studio():
    return ResourceFactory(name="Studio")


@pytest.fixture
def paid_class(settings, studio):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_fake", "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_fake"  # payments can be taken: holds wait for them
    return ServiceFactory(providers=[ProviderFactory()], capacity=CAPACITY, max_seats_per_booking=MOST,
                          duration_minutes=60, slot_interval_minutes=60, price=Decimal("10.00"),
                          deposit_kind="fixed", deposit_value=Decimal("2.00"), resource_pool=pool_of(studio))


@pytest.fixture
def rival(paid_class):
    """A free one-to-one service of another provider, needing the class's studio."""
    return ServiceFactory(providers=[ProviderFactory()], duration_minutes=60, slot_interval_minutes=60,
                          resource_pool=paid_class.resource_pool)


def rival_booked(rival, now):
    return Booking.objects.blocking(now).filter(service=rival).exists()


def live_seats(start, now):
    return sum(Booking.objects.blocking(now).filter(start=start, session__isnull=False).values_list("seats",
                                                                                                  flat=True))


def offered_seats(service, start, now):
    slots = available_slots(service, start - timedelta(hours=1), start + timedelta(hours=1), now=now)
    return next((slot.seats_left for slot in slots if slot.start == start), 0)


def check(service, rival, start, now):
    for session in ClassSession.objects.filter(service=service):
        counted = Booking.objects.filter(session=session, status__in=Booking.BLOCKING_STATUSES)
        assert session.seats_taken == sum(counted.values_list("seats", flat=True)) <= session.capacity
    scheduled = ClassSession.objects.filter(service=service, status="scheduled")
    assert scheduled.count() <= 1 and all(session.resource_id for session in scheduled)
    assert not (scheduled.exists() and rival_booked(rival, now))  # never both in the studio
    free = 0 if rival_booked(rival, now) else CAPACITY - live_seats(start, now)
    assert offered_seats(service, start, now) == free


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_seats_are_never_oversold_and_seats_left_is_capacity_less_live_seats(paid_class, rival, monday, steps):
    start, now = ny(monday, 10), timezone.now()
    client = services.ClientDetails(name="Client", email="client@example.com", timezone="America/New_York")
    with transaction.atomic():
        bookings = []
        for action, value in steps:
            if action == "book":
                free = 0 if rival_booked(rival, now) else CAPACITY - live_seats(start, now)
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
            elif action == "rival":
                # The studio is the rival's only while no class is scheduled in it (and it has none there yet).
                taken = ClassSession.objects.filter(status="scheduled").exists() or rival_booked(rival, now)
                try:
                    services.create_hold(rival, start, client, now=now)
                    assert not taken
                except services.SlotUnavailable:
                    assert taken
            check(paid_class, rival, start, now)
        transaction.set_rollback(True)
