"""Property-based checks of the slot engine (hypothesis)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from wagtail_booking.scheduling import (
    DateOverride,
    Interval,
    ProviderSchedule,
    ServiceRules,
    WeeklyRule,
    compute_slots,
)
from wagtail_booking.scheduling.slots import availability_windows

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC", "America/Santiago"]
BASE = datetime(2027, 3, 1, tzinfo=UTC)  # the month holds DST changes in several of the zones above
NOW = datetime(2027, 2, 20, tzinfo=UTC)

minutes = st.integers(min_value=0, max_value=24 * 60 - 2)


@st.composite
def hours(draw):
    opens = draw(minutes)
    closes = draw(st.integers(min_value=opens + 1, max_value=24 * 60 - 1))
    return time(opens // 60, opens % 60), time(closes // 60, closes % 60)


@st.composite
def schedules(draw, provider_id=1):
    zone = draw(st.sampled_from(ZONES))
    weekly = tuple(WeeklyRule(draw(st.integers(0, 6)), *draw(hours())) for _ in range(draw(st.integers(0, 6))))
    overrides = tuple(DateOverride(date(2027, 3, 1) + timedelta(days=draw(st.integers(0, 30))),
                                   tuple(draw(hours()) for _ in range(draw(st.integers(0, 2)))))
                      for _ in range(draw(st.integers(0, 3))))
    busy = []
    for _ in range(draw(st.integers(0, 8))):
        start = BASE + timedelta(minutes=draw(st.integers(0, 30 * 24 * 60)))
        busy.append(Interval(start, start + timedelta(minutes=draw(st.integers(1, 600)))))
    return ProviderSchedule(provider_id, zone, weekly, overrides, tuple(busy))


rules_strategy = st.builds(
    ServiceRules,
    duration=st.integers(5, 240).map(lambda m: timedelta(minutes=m)),
    interval=st.integers(5, 120).map(lambda m: timedelta(minutes=m)),
    buffer_before=st.integers(0, 60).map(lambda m: timedelta(minutes=m)),
    buffer_after=st.integers(0, 60).map(lambda m: timedelta(minutes=m)),
    min_notice=st.integers(0, 48 * 60).map(lambda m: timedelta(minutes=m)),
    horizon=st.integers(1, 60).map(lambda d: timedelta(days=d)),
)
ranges = st.tuples(st.integers(0, 20), st.integers(1, 12)).map(
    lambda r: (BASE + timedelta(days=r[0]), BASE + timedelta(days=r[0] + r[1])))


@settings(max_examples=150, deadline=None)
@given(schedules(), rules_strategy, ranges)
def test_no_slot_overlaps_busy_time_buffers_included(schedule, rules, window):
    for slot in compute_slots([schedule], rules, *window, NOW):
        blocked = rules.blocked(slot.start)
        assert not any(blocked.overlaps(busy) for busy in schedule.busy)


@settings(max_examples=150, deadline=None)
@given(schedules(), rules_strategy, ranges)
def test_every_slot_lies_inside_an_availability_window(schedule, rules, window):
    zone = ZoneInfo(schedule.timezone)
    open_windows = availability_windows(schedule, window[0].astimezone(zone).date() - timedelta(days=1),
                                        window[1].astimezone(zone).date() + timedelta(days=1))
    for slot in compute_slots([schedule], rules, *window, NOW):
        assert any(w.contains(Interval(slot.start, slot.end)) for w in open_windows)
        assert window[0] <= slot.start < window[1]
        assert NOW + rules.min_notice <= slot.start <= NOW + rules.horizon
        assert slot.end - slot.start == rules.duration


@settings(max_examples=150, deadline=None)
@given(st.lists(schedules(), min_size=1, max_size=3), rules_strategy, ranges)
def test_slots_are_sorted_and_unique(many, rules, window):
    many = [ProviderSchedule(i, s.timezone, s.weekly, s.overrides, s.busy) for i, s in enumerate(many, 1)]
    slots = compute_slots(many, rules, *window, NOW)
    starts = [slot.start for slot in slots]
    assert starts == sorted(starts)
    assert len(starts) == len(set(starts))


@settings(max_examples=150, deadline=None)
@given(st.lists(schedules(), min_size=1, max_size=3), rules_strategy, ranges, st.integers(0, 5), st.integers(0, 5))
def test_widening_the_range_never_removes_a_slot_inside_the_old_range(many, rules, window, before, after):
    many = [ProviderSchedule(i, s.timezone, s.weekly, s.overrides, s.busy) for i, s in enumerate(many, 1)]
    narrow = compute_slots(many, rules, *window, NOW)
    wide = compute_slots(many, rules, window[0] - timedelta(days=before), window[1] + timedelta(days=after), NOW)
    inside = [slot for slot in wide if window[0] <= slot.start < window[1]]
    assert inside == narrow


@settings(max_examples=100, deadline=None)
@given(schedules(), rules_strategy, ranges)
def test_offered_local_times_exist(schedule, rules, window):
    zone = ZoneInfo(schedule.timezone)
    for slot in compute_slots([schedule], rules, *window, NOW):
        local = slot.start.astimezone(zone)
        naive_again = local.replace(tzinfo=None).replace(tzinfo=zone)
        # A wall time that exists maps back to the same instant (for ambiguous times, with its fold).
        assert naive_again.replace(fold=local.fold).astimezone(UTC) == slot.start.astimezone(UTC)


def test_a_shift_inside_a_spring_forward_gap_opens_nothing():
    # Found by the property above: on 28 March 2027 London's clocks jump from 01:00 to 02:00, so 01:01-02:00 is no
    # time at all (its start maps to 01:01 UTC, its end to 01:00 UTC); the day's real hours still open.
    gap_day = date(2027, 3, 28)
    schedule = ProviderSchedule(provider_id=1, timezone="Europe/London", weekly=(
        WeeklyRule(weekday=gap_day.weekday(), start=time(1, 1), end=time(2, 0)),
        WeeklyRule(weekday=gap_day.weekday(), start=time(9, 0), end=time(10, 0))))
    windows = availability_windows(schedule, gap_day, gap_day)
    assert [(w.start.hour, w.end.hour) for w in windows] == [(8, 9)]  # 09:00-10:00 BST in UTC
