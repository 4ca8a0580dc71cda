"""Property-based checks of slots that need a resource from a pool (hypothesis), in the style of
test_slot_properties: a start is offered exactly when its provider and one member are free, and booking the
offered slots one after another never puts two bookings in one room (or with one provider) at once."""

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.scheduling.test_slot_properties import NOW, ranges, rules_strategy, schedules
from wagtail_booking.scheduling import Interval, compute_slots
from wagtail_booking.scheduling.resources import compute_pooled_slots
from wagtail_booking.scheduling.slots import availability_windows


@st.composite
def pools(draw):
    members = draw(st.lists(schedules(), min_size=0, max_size=3))
    return [replace(member, provider_id=100 + n) for n, member in enumerate(members)]


@st.composite
def staff(draw):
    people = draw(st.lists(schedules(), min_size=1, max_size=3))
    return [replace(person, provider_id=n) for n, person in enumerate(people, 1)]


def free(member, rules, start, window):
    """Brute force: the member's hours hold the appointment and nothing busy touches the blocked span."""
    zone = ZoneInfo(member.timezone)
    opens = availability_windows(member, window[0].astimezone(zone).date() - timedelta(days=1),
                                 window[1].astimezone(zone).date() + timedelta(days=1))
    appointment, blocked = Interval(start, start + rules.duration), rules.blocked(start)
    return any(w.contains(appointment) for w in opens) and not any(blocked.overlaps(b) for b in member.busy)


@settings(max_examples=150, deadline=None)
@given(staff(), pools(), rules_strategy, ranges)
def test_a_start_is_offered_exactly_when_a_provider_and_a_member_are_free(people, members, rules, window):
    pooled = compute_pooled_slots(people, members, rules, *window, NOW)
    expected = [slot.start for slot in compute_slots(people, rules, *window, NOW)
                if any(free(member, rules, slot.start, window) for member in members)]
    assert [slot.start for slot in pooled] == expected
    for slot in pooled:
        chosen = [member for member in members if member.provider_id == slot.resource_id]
        assert chosen and free(chosen[0], rules, slot.start, window)
        # The lowest free id is taken.
        assert not any(free(m, rules, slot.start, window) for m in members if m.provider_id < slot.resource_id)


@settings(max_examples=100, deadline=None)
@given(staff(), pools(), rules_strategy, ranges, st.lists(st.integers(0, 10_000), max_size=12))
def test_booking_offered_slots_never_double_books_a_room_or_a_provider(people, members, rules, window, picks):
    booked = []  # (provider id, resource id, blocked span)
    for pick in picks:
        slots = compute_pooled_slots(people, members, rules, *window, NOW)
        if not slots:
            break
        slot = slots[pick % len(slots)]
        span = rules.blocked(slot.start)
        booked.append((slot.provider_id, slot.resource_id, span))
        # The booking makes its provider and its room busy, as the database rows would.
        people = [replace(p, busy=(*p.busy, span)) if p.provider_id == slot.provider_id else p for p in people]
        members = [replace(m, busy=(*m.busy, span)) if m.provider_id == slot.resource_id else m for m in members]
    for n, (provider, resource, span) in enumerate(booked):
        for other_provider, other_resource, other_span in booked[:n]:
            if span.overlaps(other_span):
                assert provider != other_provider and resource != other_resource


@settings(max_examples=100, deadline=None)
@given(staff(), pools(), rules_strategy, ranges, st.integers(100, 103))
def test_a_moved_booking_keeps_its_member_while_it_is_free(people, members, rules, window, own):
    for slot in compute_pooled_slots(people, members, rules, *window, NOW, preferred=own):
        own_member = [m for m in members if m.provider_id == own]
        if own_member and free(own_member[0], rules, slot.start, window):
            assert slot.resource_id == own
