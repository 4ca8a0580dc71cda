"""The slot engine on its own: no database, fixed 'now'."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from wagtail_booking.scheduling import (
    DateOverride,
    DepositRule,
    Interval,
    ProviderSchedule,
    ServiceRules,
    compute_slots,
    deposit_amount,
    nearest_slots,
)

NY = ZoneInfo("America/New_York")
NOW = datetime(2027, 1, 1, tzinfo=UTC)
HALF_HOUR = ServiceRules(duration=timedelta(minutes=30), interval=timedelta(minutes=30))


def weekdays(opens=time(9), closes=time(17)):
    from wagtail_booking.scheduling import WeeklyRule

    return tuple(WeeklyRule(day, opens, closes) for day in range(5))


def schedule(**kwargs):
    kwargs.setdefault("weekly", weekdays())
    return ProviderSchedule(provider_id=kwargs.pop("provider_id", 1), timezone=kwargs.pop("tz", "America/New_York"),
                            **kwargs)


def local(day, hour, minute=0, zone=NY):
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def slots_on(day, sched=None, rules=HALF_HOUR, now=NOW, zone=NY):
    return compute_slots([sched or schedule()], rules, local(day, 0, zone=zone),
                         local(day + timedelta(days=1), 0, zone=zone), now)


def test_a_working_day_offers_every_half_hour_from_opening_to_the_last_full_slot():
    slots = slots_on(date(2027, 3, 1))
    assert [s.start.astimezone(NY).time() for s in slots][:3] == [time(9), time(9, 30), time(10)]
    assert slots[-1].start.astimezone(NY).time() == time(16, 30)
    assert len(slots) == 16


def test_nine_oclock_stays_nine_oclock_local_across_spring_forward():
    friday, monday = date(2027, 3, 12), date(2027, 3, 15)  # DST starts Sunday 14 March 2027
    before, after = slots_on(friday)[0].start, slots_on(monday)[0].start
    assert before.astimezone(NY).time() == after.astimezone(NY).time() == time(9)
    assert before.utcoffset() is not None
    assert (before.astimezone(UTC).hour, after.astimezone(UTC).hour) == (14, 13)


def test_nine_oclock_stays_nine_oclock_local_across_fall_back():
    assert slots_on(date(2027, 11, 5))[0].start.astimezone(UTC).hour == 13
    assert slots_on(date(2027, 11, 8))[0].start.astimezone(UTC).hour == 14
    assert slots_on(date(2027, 11, 8))[0].start.astimezone(NY).time() == time(9)


def test_a_night_shift_over_spring_forward_never_offers_a_time_that_does_not_exist():
    sunday = date(2027, 3, 14)
    sched = schedule(weekly=(), overrides=(DateOverride(sunday, ((time(0), time(6)),)),))
    starts = [s.start.astimezone(NY) for s in slots_on(sunday, sched)]
    wall = [s.time() for s in starts]
    assert time(2) not in wall and time(2, 30) not in wall
    assert wall[:6] == [time(0), time(0, 30), time(1), time(1, 30), time(3), time(3, 30)]
    # 00:00-06:00 that night is five real hours: ten half-hour slots.
    assert len(starts) == 10
    for slot in starts:
        assert slot.astimezone(UTC).astimezone(NY) == slot  # round-trips: the time exists


def test_a_night_shift_over_fall_back_gets_its_true_length():
    sunday = date(2027, 11, 7)
    sched = schedule(weekly=(), overrides=(DateOverride(sunday, ((time(0), time(4)),)),))
    slots = slots_on(sunday, sched)
    # 00:00-04:00 local that night is five real hours; 01:00-02:00 happens twice.
    assert len(slots) == 10
    assert [s.start.astimezone(NY).strftime("%H:%M%z") for s in slots][2:6] == [
        "01:00-0400", "01:30-0400", "01:00-0500", "01:30-0500"]


def test_slots_are_returned_with_real_lengths_across_the_change():
    sunday = date(2027, 3, 14)
    rules = ServiceRules(duration=timedelta(hours=2), interval=timedelta(hours=1))
    sched = schedule(weekly=(), overrides=(DateOverride(sunday, ((time(1), time(5)),)),))
    slots = slots_on(sunday, sched, rules)
    assert all(s.end - s.start == timedelta(hours=2) for s in slots)
    # 01:00 EST to 05:00 EDT is three real hours: two-hour slots start at 01:00 and 03:00 local.
    assert [s.start.astimezone(NY).time() for s in slots] == [time(1), time(3)]


def test_busy_time_with_buffers_removes_overlapping_slots():
    day = date(2027, 3, 1)
    busy = (Interval(local(day, 10), local(day, 11)),)
    rules = ServiceRules(duration=timedelta(minutes=30), interval=timedelta(minutes=30),
                         buffer_before=timedelta(minutes=15), buffer_after=timedelta(minutes=15))
    wall = [s.start.astimezone(NY).time() for s in slots_on(day, schedule(busy=busy), rules)]
    assert time(9, 30) not in wall  # its 15-minute after-buffer would touch 10:00
    assert time(11) not in wall  # its before-buffer starts 10:45
    assert time(9) in wall and time(11, 30) in wall


def test_override_closed_and_other_hours():
    day = date(2027, 3, 2)
    closed = schedule(overrides=(DateOverride(day, ()),))
    assert slots_on(day, closed) == []
    short = schedule(overrides=(DateOverride(day, ((time(12), time(13)),)),))
    assert [s.start.astimezone(NY).time() for s in slots_on(day, short)] == [time(12), time(12, 30)]


def test_split_shift_and_effective_dates():
    from wagtail_booking.scheduling import WeeklyRule

    rules = (WeeklyRule(0, time(9), time(10)), WeeklyRule(0, time(14), time(15)),
             WeeklyRule(1, time(9), time(10), valid_from=date(2027, 3, 9)))
    sched = schedule(weekly=rules)
    assert [s.start.astimezone(NY).time() for s in slots_on(date(2027, 3, 1), sched)] == [
        time(9), time(9, 30), time(14), time(14, 30)]
    assert slots_on(date(2027, 3, 2), sched) == []
    assert len(slots_on(date(2027, 3, 9), sched)) == 2


def test_minimum_notice_and_horizon():
    now = local(date(2027, 3, 1), 10, 10)
    rules = ServiceRules(duration=timedelta(minutes=30), interval=timedelta(minutes=30),
                         min_notice=timedelta(hours=1), horizon=timedelta(days=1))
    today = [s.start.astimezone(NY).time() for s in slots_on(date(2027, 3, 1), rules=rules, now=now)]
    assert today[0] == time(11, 30)
    tomorrow = [s.start.astimezone(NY).time() for s in slots_on(date(2027, 3, 2), rules=rules, now=now)]
    assert tomorrow[-1] == time(10)  # exactly 24 hours ahead is the last start
    assert slots_on(date(2027, 3, 3), rules=rules, now=now) == []


def test_any_provider_offers_each_start_once_from_the_first_free_provider():
    day = date(2027, 3, 1)
    busy_first = schedule(provider_id=1, busy=(Interval(local(day, 9), local(day, 10)),))
    second = schedule(provider_id=2)
    slots = compute_slots([busy_first, second], HALF_HOUR, local(day, 0), local(day, 23), NOW)
    by_time = {s.start.astimezone(NY).time(): s.provider_id for s in slots}
    assert by_time[time(9)] == 2 and by_time[time(10)] == 1
    assert len(slots) == len({s.start for s in slots}) == 16


def test_query_zone_is_independent_of_provider_zone():
    # A client in Tokyo asking for 2 March (Tokyo) sees the New York afternoon of 1 March... and nothing else.
    tokyo = ZoneInfo("Asia/Tokyo")
    slots = compute_slots([schedule()], HALF_HOUR, local(date(2027, 3, 2), 0, zone=tokyo),
                          local(date(2027, 3, 3), 0, zone=tokyo), NOW)
    assert {s.start.astimezone(tokyo).date() for s in slots} == {date(2027, 3, 2)}
    assert {s.start.astimezone(NY).date() for s in slots} == {date(2027, 3, 1), date(2027, 3, 2)}


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        compute_slots([schedule()], HALF_HOUR, datetime(2027, 3, 1), datetime(2027, 3, 2), NOW)


def test_nearest_slots_are_the_closest_in_time_order():
    slots = slots_on(date(2027, 3, 1))
    target = local(date(2027, 3, 1), 12, 10)
    assert [s.start.astimezone(NY).time() for s in nearest_slots(slots, target)] == [
        time(11, 30), time(12), time(12, 30)]


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("none", "0", "0.00"), ("fixed", "25", "25.00"), ("fixed", "500", "90.00"), ("percent", "20", "18.00"),
    ("percent", "33.333", "30.00"), ("full", "0", "90.00"),
])
def test_deposit_amounts(kind, value, expected):
    from decimal import Decimal

    assert deposit_amount(Decimal("90.00"), DepositRule(kind, Decimal(value))) == Decimal(expected)


def test_bad_deposit_rules_are_refused():
    from decimal import Decimal

    with pytest.raises(ValueError):
        DepositRule("percent", Decimal("150"))
    with pytest.raises(ValueError):
        DepositRule("bogus")
