"""The dates of a recurring series: same wall-clock time in the provider's zone, whatever DST does."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wagtail_booking.scheduling.series import SeriesRule, is_capped, occurrence_days, occurrence_starts

NEW_YORK, LONDON = ZoneInfo("America/New_York"), ZoneInfo("Europe/London")


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_weekly_across_new_york_spring_change_keeps_ten_oclock_and_shifts_an_hour_in_utc():
    rule = SeriesRule(first_day=date(2027, 3, 4), wall_time=time(10), zone="America/New_York", count=4)
    starts = occurrence_starts(rule)
    assert starts == [utc("2027-03-04T15:00"), utc("2027-03-11T15:00"),   # EST, UTC-5
                      utc("2027-03-18T14:00"), utc("2027-03-25T14:00")]   # EDT, UTC-4 after Sun 14 March
    assert {start.astimezone(NEW_YORK).time() for start in starts} == {time(10)}


def test_weekly_across_london_spring_change():
    rule = SeriesRule(first_day=date(2027, 3, 18), wall_time=time(18, 30), zone="Europe/London", count=3)
    assert occurrence_starts(rule) == [utc("2027-03-18T18:30"), utc("2027-03-25T18:30"),  # GMT
                                       utc("2027-04-01T17:30")]                            # BST after 28 March


def test_a_time_inside_the_spring_gap_moves_forward_like_the_slot_engine():
    # 02:30 does not exist on Sun 14 March 2027 in New York: it becomes 03:30 EDT, as slots.local_instant does.
    rule = SeriesRule(first_day=date(2027, 3, 7), wall_time=time(2, 30), zone="America/New_York", count=3)
    local = [start.astimezone(NEW_YORK) for start in occurrence_starts(rule)]
    assert [(moment.date(), moment.time()) for moment in local] == [
        (date(2027, 3, 7), time(2, 30)), (date(2027, 3, 14), time(3, 30)), (date(2027, 3, 21), time(2, 30))]


def test_every_two_weeks_until_a_date_includes_that_date():
    rule = SeriesRule(first_day=date(2027, 4, 5), wall_time=time(9), zone="Europe/London", every_weeks=2,
                      until=date(2027, 5, 31))
    assert occurrence_days(rule) == [date(2027, 4, 5), date(2027, 4, 19), date(2027, 5, 3), date(2027, 5, 17),
                                     date(2027, 5, 31)]


def test_the_services_longest_series_caps_the_plan_and_says_so():
    long = SeriesRule(first_day=date(2027, 4, 5), wall_time=time(9), zone="UTC", count=20, cap=12)
    assert len(occurrence_days(long)) == 12 and is_capped(long)
    until = SeriesRule(first_day=date(2027, 4, 5), wall_time=time(9), zone="UTC", until=date(2028, 4, 5), cap=12)
    assert len(occurrence_days(until)) == 12 and is_capped(until)
    short = SeriesRule(first_day=date(2027, 4, 5), wall_time=time(9), zone="UTC", count=12, cap=12)
    assert len(occurrence_days(short)) == 12 and not is_capped(short)


@pytest.mark.parametrize("kwargs", [{"every_weeks": 0, "count": 3}, {}, {"count": 0},
                                    {"until": date(2027, 4, 1)}])
def test_a_rule_that_names_no_dates_is_refused(kwargs):
    with pytest.raises(ValueError):
        SeriesRule(first_day=date(2027, 4, 5), wall_time=time(9), zone="UTC", **kwargs)


ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "America/Santiago", "Asia/Kolkata", "UTC"]


@given(first=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
       hour=st.integers(0, 23), minute=st.sampled_from([0, 15, 30, 45]), zone=st.sampled_from(ZONES),
       every=st.integers(1, 6), count=st.integers(1, 30), cap=st.integers(2, 52))
def test_each_occurrence_is_the_same_local_time_every_n_weeks(first, hour, minute, zone, every, count, cap):
    rule = SeriesRule(first_day=first, wall_time=time(hour, minute), zone=zone, every_weeks=every, count=count,
                      cap=cap)
    starts = occurrence_starts(rule)
    assert len(starts) == min(count, cap)
    tz = ZoneInfo(zone)
    for index, start in enumerate(starts):
        local = start.astimezone(tz)
        assert local.date() == first + timedelta(weeks=every * index)
        if local.time() != time(hour, minute):  # only inside a spring-forward gap, moved forward by the gap
            naive = datetime.combine(local.date(), time(hour, minute))
            assert naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive
            assert timedelta(0) < local.replace(tzinfo=None) - naive <= timedelta(hours=1)
    assert starts == sorted(starts)
