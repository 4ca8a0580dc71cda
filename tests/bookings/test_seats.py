"""Booking seats in a class: sessions made on demand, seats left, per-seat prices, refusals a client can act on."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.availability import available_slots, local_day_bounds
from wagtail_booking.bookings.models import Booking, ClassSession

pytestmark = pytest.mark.django_db


def a_class(capacity=12, most=4, **fields):
    provider = fields.pop("provider", None) or ProviderFactory()
    return ServiceFactory(providers=[provider], capacity=capacity, max_seats_per_booking=most, duration_minutes=60,
                          slot_interval_minutes=60, **fields)


def client_details(index=0):
    return services.ClientDetails(name=f"Client {index}", email=f"c{index}@example.com",
                                  timezone="America/New_York")


def hold(service, start, seats=1, index=0, **kwargs):
    return services.create_hold(service, start, client_details(index), seats=seats, **kwargs)


def post_hold(service, start, seats=1, index=0):
    body = {"service": service.pk, "start": start.isoformat(), "name": f"Client {index}",
            "email": f"client{index}@example.com", "timezone": "America/New_York", "seats": seats}
    response = Client().post("/booking/api/holds", data=json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def api_slots(service, day):
    response = Client().get(f"/booking/api/services/{service.pk}/slots",
                            {"start": day.isoformat(), "end": day.isoformat(), "tz": "America/New_York"})
    assert response.status_code == 200
    return {slot["start"]: slot for slot in response.json()["slots"]}


def live_seats(session):
    return sum(Booking.objects.filter(session=session, status__in=Booking.BLOCKING_STATUSES)
               .values_list("seats", flat=True))


def test_the_first_booking_opens_a_session_and_later_ones_join_it(monday):
    service = a_class()
    first = hold(service, ny(monday, 10), seats=3)
    second = hold(service, ny(monday, 10), seats=2, index=1)
    session = ClassSession.objects.get()
    assert first.session == second.session == session and session.on_demand
    assert (session.capacity, session.seats_taken, session.seats_left) == (12, 5, 7)
    assert first.status == second.status == Booking.Status.CONFIRMED


def test_slots_show_the_seats_left_and_a_full_class_is_not_offered(monday):
    service = a_class(capacity=3, most=3)
    before = api_slots(service, monday)
    assert before[ny(monday, 10).isoformat()]["seats_left"] == 3
    assert before[ny(monday, 10).isoformat()]["capacity"] == 3
    hold(service, ny(monday, 10), seats=2)
    assert api_slots(service, monday)[ny(monday, 10).isoformat()]["seats_left"] == 1
    hold(service, ny(monday, 10), seats=1, index=1)
    after = api_slots(service, monday)
    assert ny(monday, 10).isoformat() not in after
    assert after[ny(monday, 11).isoformat()]["seats_left"] == 3  # the next hour is still a new class


def test_more_seats_than_one_booking_may_take_is_refused_naming_seats(monday):
    # 409, not 400: the number is well-formed (the schema allows it); it conflicts with this service's rules.
    service = a_class(most=2)
    code, body = post_hold(service, ny(monday, 10), seats=3)
    assert code == 409
    assert body["errors"] == [{"field": "seats", "message": "One booking can take at most 2 seats."}]
    one_to_one = ServiceFactory(providers=[ProviderFactory()])
    code, body = post_hold(one_to_one, ny(monday, 10), seats=2)
    assert code == 409 and body["errors"][0]["field"] == "seats"
    code, body = post_hold(service, ny(monday, 10), seats=0)
    assert code == 400 and body["errors"][0]["field"] == "seats"  # the schema's own minimum
    assert not Booking.objects.exists() and not ClassSession.objects.exists()


def test_not_enough_seats_is_a_409_saying_how_many_are_left_with_the_next_classes(monday):
    service = a_class(capacity=4, most=4)
    hold(service, ny(monday, 10), seats=3)
    code, body = post_hold(service, ny(monday, 10), seats=2)
    assert code == 409
    assert body["detail"] == "Sorry, only 1 seat is left in that class."
    assert [slot["start"] for slot in body["alternatives"]] == [
        ny(monday, hour).isoformat() for hour in (11, 12, 13)]
    assert all(slot["seats_left"] == 4 for slot in body["alternatives"])
    assert ClassSession.objects.get().seats_taken == 3


def test_price_and_deposit_are_per_seat(monday):
    service = a_class(price=Decimal("20.00"))
    booking = hold(service, ny(monday, 10), seats=3)
    assert booking.price == Decimal("60.00") and booking.seats == 3


def test_cancelling_a_seat_booking_gives_its_seats_back(monday):
    service = a_class(capacity=4, most=4)
    booking = hold(service, ny(monday, 10), seats=4)
    assert ny(monday, 10).isoformat() not in api_slots(service, monday)
    services.cancel(booking, by="staff")
    session = ClassSession.objects.get()
    assert session.seats_taken == 0 and live_seats(session) == 0
    assert api_slots(service, monday)[ny(monday, 10).isoformat()]["seats_left"] == 4


def test_a_seat_moved_to_its_own_time_is_refused_with_a_sentence(monday):
    service = a_class()
    booking = hold(service, ny(monday, 10))
    with pytest.raises(services.NotAllowed, match="That is the time of this class already"):
        services.reschedule(booking, ny(monday, 10), by="staff")


def test_expired_holds_give_their_seats_back_and_an_emptied_session_frees_the_provider(monday, settings):
    provider = ProviderFactory()
    service = a_class(capacity=3, most=3, provider=provider, price=Decimal("20.00"), deposit_kind="fixed",
                      deposit_value=Decimal("5.00"))
    # The business takes card payments (nothing is charged here): the hold waits for one.
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_fake", "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_fake"
    now = ny(monday, 8) - timedelta(days=2)
    held = hold(service, ny(monday, 10), seats=3, now=now, hold_for=timedelta(minutes=15))
    assert held.status == Booking.Status.HELD and held.deposit_due == Decimal("15.00")
    later = now + timedelta(minutes=20)
    # The hold ran out: its seats are offered again at once, before anything marks it expired.
    slots = available_slots(service, *local_day_bounds(monday, monday, "America/New_York"), now=later)
    assert {slot.start: slot.seats_left for slot in slots}[ny(monday, 10)] == 3
    # Another service of the same provider: the class still holds the time until the next write releases it.
    single = ServiceFactory(providers=[provider], duration_minutes=30)
    booking = services.create_hold(single, ny(monday, 10), client_details(9), now=later)
    assert booking.status == Booking.Status.CONFIRMED
    session = ClassSession.objects.get()
    assert session.status == ClassSession.Status.CANCELLED and session.seats_taken == 0
    held.refresh_from_db()
    assert held.status == Booking.Status.EXPIRED


def test_staff_add_a_seat_to_the_class_or_open_one_outside_hours_never_over_busy_time(monday):
    service = a_class(capacity=2, most=2)
    provider = service.providers.get()
    online = hold(service, ny(monday, 10), seats=1)
    staff = services.create_by_staff(service, provider, ny(monday, 10), client_details(5))
    assert staff.session == online.session and live_seats(staff.session) == 2
    staff.session.refresh_from_db()
    assert staff.session.seats_taken == 2
    with pytest.raises(services.SlotUnavailable, match="full"):
        services.create_by_staff(service, provider, ny(monday, 10), client_details(6))
    evening = services.create_by_staff(service, provider, ny(monday, 19), client_details(7))  # after hours
    evening.session.refresh_from_db()
    assert evening.session.start == ny(monday, 19) and evening.session.seats_taken == 1
    with pytest.raises(services.SlotUnavailable, match="busy"):
        services.create_by_staff(service, provider, ny(monday, 10, 30), client_details(8))


def test_a_class_booking_uses_one_package_credit_per_seat(monday):
    from wagtail_booking.packages import credits
    from wagtail_booking.packages.models import CreditPurchase, Package

    service = a_class()
    package = Package.objects.create(name="Five classes", sessions=5, price=Decimal("80.00"))
    package.services.add(service)
    purchase = CreditPurchase.objects.create(package=package, client_email="c0@example.com", sessions=5,
                                             value_per_session=Decimal("16.00"), currency="USD",
                                             expires_at=timezone.now() + timedelta(days=90))
    purchase.entries.create(kind="granted", change=5, reason="Order 1")
    credits.spend(purchase, hold(service, ny(monday, 10), seats=3))
    assert credits.balance_of(purchase) == 2
    with pytest.raises(credits.NoCredit, match="takes 3 seats and the package has 2 credits left"):
        credits.spend(purchase, hold(service, ny(monday, 11), seats=3, index=1))
    booking = hold(service, ny(monday, 12), seats=2, index=2)
    credits.spend(purchase, booking)
    services.cancel(booking, by="staff")
    credits.give_back(booking, "staff", Decimal("100"))
    assert credits.balance_of(purchase) == 2  # both seats' credits come back


def test_the_periodic_task_closes_a_class_whose_only_hold_ran_out(monday, settings, time_machine):
    from wagtail_booking.tasks import cancel_short_sessions_task

    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_fake", "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_fake"
    provider = ProviderFactory()
    service = a_class(provider=provider, price=Decimal("20.00"), deposit_kind="fixed", deposit_value=Decimal("5"))
    held = hold(service, ny(monday, 10), seats=2)
    single = ServiceFactory(providers=[provider], duration_minutes=30)
    assert ny(monday, 10) not in [slot.start for slot in available_slots(single, ny(monday, 0), ny(monday, 23))]
    time_machine.move_to(timezone.now() + timedelta(minutes=20))  # past the 15-minute hold
    cancel_short_sessions_task.call_local()
    held.refresh_from_db()
    assert held.status == Booking.Status.EXPIRED
    assert ClassSession.objects.get().status == ClassSession.Status.CANCELLED
    assert ny(monday, 10) in [slot.start for slot in available_slots(single, ny(monday, 0), ny(monday, 23))]
