"""The cancellation policy laid out as deadlines: the words must pay what ``refund_for`` pays, DST included."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wagtail_booking.scheduling import CancellationPolicy, RefundTier, policy_terms

NY = ZoneInfo("America/New_York")


def tiered():
    return CancellationPolicy(tiers=(RefundTier(24, Decimal(50)), RefundTier(48, Decimal(100))), fee=Decimal("2"))


def test_steps_run_from_the_longest_notice_with_exact_deadlines():
    start = datetime(2027, 3, 11, 19, 0, tzinfo=UTC)
    terms = policy_terms(tiered(), cutoff_hours=24, start=start)
    assert [(step.percent, step.until) for step in terms.steps] == [
        (Decimal(100), datetime(2027, 3, 9, 19, 0, tzinfo=UTC)),
        (Decimal(50), datetime(2027, 3, 10, 19, 0, tzinfo=UTC))]
    assert terms.final_percent == 0 and terms.fee == Decimal("2")
    assert terms.changes_close == datetime(2027, 3, 10, 19, 0, tzinfo=UTC)


def test_general_terms_have_no_dates():
    terms = policy_terms(tiered(), cutoff_hours=12)
    assert [(step.hours_before, step.until) for step in terms.steps] == [(48, None), (24, None)]
    assert terms.changes_close is None and terms.cutoff_hours == 12


def test_no_tiers_means_a_full_refund_until_online_changes_close():
    start = datetime(2027, 3, 11, 19, 0, tzinfo=UTC)
    terms = policy_terms(CancellationPolicy(), cutoff_hours=6, start=start)
    assert terms.steps == () and terms.final_percent == 100
    assert terms.changes_close == start - timedelta(hours=6)


def test_a_zero_hour_tier_is_what_holds_after_the_last_deadline():
    policy = CancellationPolicy(tiers=(RefundTier(0, Decimal(25)), RefundTier(72, Decimal(100))))
    terms = policy_terms(policy, cutoff_hours=0, start=datetime(2027, 3, 11, 19, 0, tzinfo=UTC))
    assert [step.hours_before for step in terms.steps] == [72] and terms.final_percent == 25


def test_deadline_across_the_spring_change_is_48_real_hours_not_the_same_wall_clock():
    # 2027-03-14 is when New York moves its clocks forward: 48 hours before Mon 10:00 EDT is Sat 09:00 EST.
    start = datetime(2027, 3, 15, 10, 0, tzinfo=NY)
    deadline = policy_terms(tiered(), 24, start).steps[0].until.astimezone(NY)
    assert (deadline.day, deadline.hour, deadline.tzname()) == (13, 9, "EST")
    assert start.astimezone(UTC) - deadline.astimezone(UTC) == timedelta(hours=48)


def test_deadline_across_the_autumn_change():
    start = datetime(2027, 11, 8, 10, 0, tzinfo=NY)  # clocks went back on Sun 7 Nov
    deadline = policy_terms(tiered(), 24, start).steps[0].until.astimezone(NY)
    assert (deadline.day, deadline.hour, deadline.tzname()) == (6, 11, "EDT")


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError):
        policy_terms(tiered(), 24, datetime(2027, 3, 11, 19, 0))


tiers = st.lists(st.builds(RefundTier, st.integers(0, 400), st.decimals(0, 100, places=0)), max_size=5)
zones = st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney", "UTC", "Asia/Kolkata"])


@settings(max_examples=300, deadline=None)
@given(tiers=tiers, zone=zones, start_minutes=st.integers(0, 2 * 365 * 24 * 60),
       notice_minutes=st.integers(0, 500 * 60))
def test_the_steps_give_exactly_what_refund_for_gives(tiers, zone, start_minutes, notice_minutes):
    policy = CancellationPolicy(tiers=tuple(tiers))
    start = (datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=start_minutes)).astimezone(ZoneInfo(zone))
    now = start.astimezone(UTC) - timedelta(minutes=notice_minutes)
    terms = policy_terms(policy, 24, start)
    said = next((step.percent for step in terms.steps if now <= step.until), terms.final_percent)
    assert said == policy.percent_for((start.astimezone(UTC) - now).total_seconds() / 3600)
    assert [step.until for step in terms.steps] == sorted(step.until for step in terms.steps)
