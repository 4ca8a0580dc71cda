"""Recurring series: plan with conflicts and alternatives, all-or-nothing or skip, cancel and move with policy."""

from datetime import UTC, date, time, timedelta

import pytest

from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from tests.helpers import NY, ny
from wagtail_booking import signals
from wagtail_booking.bookings import series, services
from wagtail_booking.bookings.models import Booking, BookingSeries
from wagtail_booking.snippets.models import DateOverride

CLIENT = services.ClientDetails(name="Ann Client", email="ann@example.com", timezone="Europe/London")
THU = date(2027, 3, 11)  # the day after the pinned "now"; New York's clocks go forward on Sun 14 March


@pytest.fixture
def weekly(db):
    provider = ProviderFactory(name="Maya")
    service = ServiceFactory(name="Coaching", providers=[provider], allow_series=True)
    return service, provider


def rule(service, provider, count=4, **kwargs):
    return series.rule_for(service, provider, ny(THU, 10), count=count, **kwargs)


def conflicted(service, provider):
    """The 18 March occurrence is taken by someone else; the business is closed on 25 March."""
    BookingFactory(service=service, provider=provider, start=ny(THU + timedelta(weeks=1), 10))
    DateOverride.objects.create(provider=provider, date=THU + timedelta(weeks=2), closed=True)


def local(moment, zone=NY):
    return moment.astimezone(zone).strftime("%a %d %b %H:%M")


@pytest.mark.django_db
def test_plan_keeps_new_york_time_across_dst_and_lists_each_conflict_with_same_day_alternatives(weekly):
    service, provider = weekly
    conflicted(service, provider)
    plan = series.plan(service, provider, rule(service, provider))
    assert [local(item.start) for item in plan.occurrences] == [
        "Thu 11 Mar 10:00", "Thu 18 Mar 10:00", "Thu 25 Mar 10:00", "Thu 01 Apr 10:00"]
    assert [item.start.astimezone(UTC).hour for item in plan.occurrences] == [15, 14, 14, 14]
    busy, closed = plan.conflicts
    assert (local(busy.start), busy.reason, busy.reason_text) == ("Thu 18 Mar 10:00", "busy",
                                                                  "Already booked at that time")
    assert [local(alt.start) for alt in busy.alternatives] == [
        "Thu 18 Mar 09:30", "Thu 18 Mar 10:30", "Thu 18 Mar 09:00", "Thu 18 Mar 11:00"]
    assert (local(closed.start), closed.reason, closed.alternatives) == ("Thu 25 Mar 10:00", "closed", ())


@pytest.mark.django_db
def test_all_or_nothing_refuses_when_any_date_conflicts_and_writes_nothing(weekly):
    service, provider = weekly
    conflicted(service, provider)
    request = series.SeriesRequest(rule(service, provider), on_conflict=series.ALL_OR_NOTHING)
    with pytest.raises(series.SeriesUnavailable) as refused:
        series.book(service, provider, request, CLIENT)
    assert refused.value.status_code == 409
    assert "Thu 18 Mar" in refused.value.message and "Thu 25 Mar" in refused.value.message
    assert [local(item.start) for item in refused.value.conflicts] == ["Thu 18 Mar 10:00", "Thu 25 Mar 10:00"]
    assert not BookingSeries.objects.exists()
    assert Booking.objects.filter(client_email=CLIENT.email).count() == 0


@pytest.mark.django_db
def test_skip_books_the_free_dates_and_a_chosen_alternative(weekly):
    service, provider = weekly
    conflicted(service, provider)
    plan = series.plan(service, provider, rule(service, provider))
    busy = plan.conflicts[0]
    request = series.SeriesRequest(plan.rule, on_conflict=series.SKIP,
                                   replacements={busy.start: busy.alternatives[1].start})
    booked = series.book(service, provider, request, CLIENT)
    rows = list(booked.bookings.order_by("start"))
    assert [local(row.start) for row in rows] == ["Thu 11 Mar 10:00", "Thu 18 Mar 10:30", "Thu 01 Apr 10:00"]
    assert {row.status for row in rows} == {Booking.Status.CONFIRMED}
    assert (booked.every_weeks, booked.occurrences, booked.local_time) == (1, 4, time(10))


@pytest.mark.django_db
def test_a_date_taken_after_the_preview_is_a_409_naming_it(weekly):
    service, provider = weekly
    request = series.SeriesRequest(rule(service, provider, count=3))
    assert not series.plan(service, provider, request.rule).conflicts
    BookingFactory(service=service, provider=provider, start=ny(THU + timedelta(weeks=2), 10))  # the race lost
    with pytest.raises(series.SeriesUnavailable) as lost:
        series.book(service, provider, request, CLIENT)
    assert "Thu 25 Mar" in lost.value.message
    assert [local(alt.start) for alt in lost.value.conflicts[0].alternatives][:2] == [
        "Thu 25 Mar 09:30", "Thu 25 Mar 10:30"]
    assert not BookingSeries.objects.exists()


@pytest.mark.django_db
def test_clients_book_a_series_only_where_the_service_allows_it_staff_always(weekly):
    service, provider = weekly
    service.allow_series = False
    service.save()
    request = series.SeriesRequest(rule(service, provider, count=2))
    with pytest.raises(services.NotAllowed, match="cannot be booked as a series online"):
        series.book(service, provider, request, CLIENT)
    # Staff: also outside working hours (07:00), as a booking entered by hand.
    early = series.SeriesRequest(series.rule_for(service, provider, ny(THU, 7), count=2))
    booked = series.book(service, provider, early, CLIENT, by="staff")
    assert [local(row.start) for row in booked.bookings.order_by("start")] == ["Thu 11 Mar 07:00",
                                                                              "Thu 18 Mar 07:00"]
    assert booked.created_by == "staff"


@pytest.mark.django_db
def test_bad_rules_are_refused_naming_the_field(weekly):
    service, provider = weekly
    with pytest.raises(services.BookingError) as too_many:
        series.rule_for(service, provider, ny(THU, 10), count=service.max_series_occurrences + 1)
    assert too_many.value.field == "count"
    with pytest.raises(services.BookingError) as too_soon:
        series.rule_for(service, provider, ny(THU, 10), until=THU + timedelta(days=3))
    assert too_soon.value.field == "until"
    with pytest.raises(services.BookingError) as every:
        series.rule_for(service, provider, ny(THU, 10), every_weeks=0, count=3)
    assert every.value.field == "every_weeks"


@pytest.mark.django_db
def test_a_deposit_service_without_online_payment_and_a_class_are_refused_with_a_sentence(weekly):
    service, provider = weekly
    service.price, service.deposit_kind, service.deposit_value = 100, "fixed", 20
    service.save()
    with pytest.raises(services.NotAllowed, match="online payment is not available"):
        series.book(service, provider, series.SeriesRequest(rule(service, provider, count=2)), CLIENT)
    service.deposit_kind, service.capacity = "none", 8
    service.save()
    with pytest.raises(services.NotAllowed, match="group class"):
        series.book(service, provider, series.SeriesRequest(rule(service, provider, count=2)), CLIENT)


@pytest.fixture
def booked_weekly(weekly):
    service, provider = weekly
    booked = series.book(service, provider, series.SeriesRequest(rule(service, provider, count=4)), CLIENT)
    return list(booked.bookings.order_by("start"))


@pytest.fixture
def cancellations():
    seen = []

    def handler(sender, booking, **kwargs):
        seen.append((booking.reference, kwargs.get("by")))
    signals.booking_cancelled.connect(handler)
    yield seen
    signals.booking_cancelled.disconnect(handler)


@pytest.mark.django_db
def test_cancel_one_occurrence_leaves_the_others(booked_weekly, cancellations):
    first, second, third, fourth = booked_weekly
    series.cancel(third, by="client")
    statuses = [Booking.objects.get(pk=row.pk).status for row in booked_weekly]
    assert statuses == ["confirmed", "confirmed", "cancelled", "confirmed"]
    assert cancellations == [(third.reference, "client")]


@pytest.mark.django_db
def test_cancel_this_and_following_applies_the_policy_to_each(booked_weekly, cancellations):
    first, second, third, fourth = booked_weekly
    series.cancel(second, and_following=True, by="client")
    assert [Booking.objects.get(pk=row.pk).status for row in booked_weekly] == [
        "confirmed", "cancelled", "cancelled", "cancelled"]
    # One cancellation per occurrence: refunds and fees follow each, as for a single booking.
    assert cancellations == [(row.reference, "client") for row in (second, third, fourth)]


@pytest.mark.django_db
def test_inside_the_cut_off_the_client_cannot_cancel_and_nothing_changes_staff_can(booked_weekly, cancellations):
    first = booked_weekly[0]  # tomorrow 10:00, inside the 24-hour cut-off
    with pytest.raises(services.NotAllowed, match="24 hours"):
        series.cancel(first, and_following=True, by="client")
    assert set(Booking.objects.filter(pk__in=[r.pk for r in booked_weekly]).values_list("status", flat=True)) == {
        "confirmed"}
    assert cancellations == []
    series.cancel(first, and_following=True, by="staff")
    assert set(Booking.objects.filter(pk__in=[r.pk for r in booked_weekly]).values_list("status", flat=True)) == {
        "cancelled"}


@pytest.mark.django_db
def test_move_this_and_following_keeps_the_new_local_time_across_dst(booked_weekly):
    first, second, third, fourth = booked_weekly
    # Thursday 10:00 -> Friday 14:00, from the 11 March occurrence (EST) onwards (EDT), staff (inside cut-off).
    series.move(first, ny(THU + timedelta(days=1), 14), and_following=True, by="staff")
    moved = [Booking.objects.get(pk=row.pk) for row in booked_weekly]
    assert [local(row.start) for row in moved] == ["Fri 12 Mar 14:00", "Fri 19 Mar 14:00", "Fri 26 Mar 14:00",
                                                   "Fri 02 Apr 14:00"]
    assert [row.start.astimezone(UTC).hour for row in moved] == [19, 18, 18, 18]
    assert BookingSeries.objects.get().local_time == time(14)


@pytest.mark.django_db
def test_moving_following_a_week_later_does_not_collide_with_itself(booked_weekly):
    second = booked_weekly[1]
    series.move(second, second.start + timedelta(weeks=1), and_following=True, by="client")
    assert [local(Booking.objects.get(pk=row.pk).start) for row in booked_weekly] == [
        "Thu 11 Mar 10:00", "Thu 25 Mar 10:00", "Thu 01 Apr 10:00", "Thu 08 Apr 10:00"]


@pytest.mark.django_db
def test_a_move_with_one_date_taken_moves_nothing_and_names_it(booked_weekly):
    first, second, third, fourth = booked_weekly
    other = ServiceFactory(providers=[second.provider])
    BookingFactory(service=other, provider=second.provider, start=ny(date(2027, 3, 25), 15))
    with pytest.raises(series.SeriesUnavailable, match="25 Mar"):
        series.move(second, ny(date(2027, 3, 18), 15), and_following=True, by="client")
    assert [Booking.objects.get(pk=row.pk).start for row in booked_weekly] == [row.start for row in booked_weekly]


@pytest.mark.django_db
def test_plan_takes_a_fixed_number_of_queries_whatever_its_length(weekly, django_assert_max_num_queries):
    service, provider = weekly
    long = series.rule_for(service, provider, ny(THU, 10), count=service.max_series_occurrences)
    with django_assert_max_num_queries(3):
        plan = series.plan(service, provider, long)
    assert len(plan.occurrences) == 12 and not plan.conflicts

