"""Busy time from iCalendar text (sync/backends/icalendar_busy.py): pure, no database, no server."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wagtail_booking.sync.backends.icalendar_busy import InvalidICalendar, busy_events

NEW_YORK, PARIS = ZoneInfo("America/New_York"), ZoneInfo("Europe/Paris")
START, END = datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 5, 1, tzinfo=UTC)


def calendar(*events: str, extra: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20270101T000000Z\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{extra}{body}END:VCALENDAR\r\n"


def lines(*items: str) -> str:
    return "\r\n".join(items)


def test_a_single_event_in_its_zone_becomes_one_span_in_utc():
    text = calendar(lines("UID:dentist@x", "SUMMARY:Dentist", "DTSTART;TZID=Europe/Paris:20270310T100000",
                          "DTEND;TZID=Europe/Paris:20270310T113000"))
    [busy] = busy_events(text, START, END, "America/New_York")
    assert busy.uid == "dentist@x"
    assert busy.title == "Dentist"
    assert (busy.start, busy.end) == (datetime(2027, 3, 10, 9, tzinfo=UTC), datetime(2027, 3, 10, 10, 30, tzinfo=UTC))


@pytest.mark.parametrize("zone, before, after", [
    ("America/New_York", date(2027, 3, 8), date(2027, 3, 15)),  # US clocks change on 14 March 2027
    ("Europe/Paris", date(2027, 3, 22), date(2027, 3, 29)),  # EU clocks change on 28 March 2027
])
def test_a_weekly_event_keeps_its_local_time_across_the_march_dst_change(zone, before, after):
    text = calendar(lines("UID:weekly@x", "SUMMARY:Stand-up", f"DTSTART;TZID={zone}:20270301T090000",
                          f"DTEND;TZID={zone}:20270301T093000", "RRULE:FREQ=WEEKLY;COUNT=8"))
    found = {busy.start.astimezone(ZoneInfo(zone)).date(): busy for busy in busy_events(text, START, END, "UTC")}
    assert len(found) == 8
    for day in (before, after):
        local = found[day].start.astimezone(ZoneInfo(zone))
        assert (local.hour, local.minute) == (9, 0)
        assert found[day].end - found[day].start == timedelta(minutes=30)
    # the same wall-clock time is an hour earlier in UTC once summer time starts
    assert found[after].start.astimezone(UTC).hour == found[before].start.astimezone(UTC).hour - 1


def test_an_exdate_removes_an_occurrence_and_an_override_moves_one_keeping_its_uid():
    text = calendar(
        lines("UID:weekly@x", "SUMMARY:Class", "DTSTART;TZID=America/New_York:20270301T090000",
              "DTEND;TZID=America/New_York:20270301T100000", "RRULE:FREQ=WEEKLY;COUNT=5",
              "EXDATE;TZID=America/New_York:20270322T090000"),
        lines("UID:weekly@x", "RECURRENCE-ID;TZID=America/New_York:20270315T090000", "SUMMARY:Class (moved)",
              "DTSTART;TZID=America/New_York:20270315T130000", "DTEND;TZID=America/New_York:20270315T140000"))
    busy = busy_events(text, START, END, "UTC")
    assert [b.start.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for b in busy] == [
        "03-01 09:00", "03-08 09:00", "03-15 13:00", "03-29 09:00"]
    moved = busy[2]
    assert moved.title == "Class (moved)"
    assert moved.uid == "weekly@x/20270315T130000Z"  # the original 09:00 EDT start, in UTC
    assert len({b.uid for b in busy}) == 4


def test_a_very_long_uid_is_shortened_the_same_way_every_time():
    uid = "040000008200E00074C5B7101A82E008" * 12  # Outlook-style, 384 characters
    text = calendar(lines(f"UID:{uid}", "DTSTART:20270301T150000Z", "DTEND:20270301T160000Z",
                          "RRULE:FREQ=DAILY;COUNT=2"))
    first, second = busy_events(text, START, END, "UTC")
    assert first.uid.endswith("/20270301T150000Z") and second.uid.endswith("/20270302T150000Z")
    assert len(first.uid) <= 100 and first.uid.split("/")[0] == second.uid.split("/")[0]
    assert busy_events(text, START, END, "UTC")[0].uid == first.uid


def test_rdate_adds_an_occurrence():
    text = calendar(lines("UID:r@x", "DTSTART:20270301T150000Z", "DTEND:20270301T160000Z",
                          "RDATE:20270305T150000Z,20270307T150000Z"))
    assert [b.start.day for b in busy_events(text, START, END, "UTC")] == [1, 5, 7]


def test_free_cancelled_and_our_own_events_are_not_busy():
    text = calendar(
        lines("UID:free@x", "TRANSP:TRANSPARENT", "DTSTART:20270310T150000Z", "DTEND:20270310T160000Z"),
        lines("UID:cancelled@x", "STATUS:CANCELLED", "DTSTART:20270310T150000Z", "DTEND:20270310T160000Z"),
        lines("UID:ours@x", "X-WAGTAIL-BOOKING-REFERENCE:BK-1234", "DTSTART:20270310T150000Z",
              "DTEND:20270310T160000Z"),
        lines("UID:series@x", "DTSTART:20270310T150000Z", "DTEND:20270310T160000Z", "RRULE:FREQ=DAILY;COUNT=3"),
        lines("UID:series@x", "RECURRENCE-ID:20270311T150000Z", "STATUS:CANCELLED", "DTSTART:20270311T150000Z",
              "DTEND:20270311T160000Z"),
        lines("UID:opaque@x", "TRANSP:OPAQUE", "DTSTART:20270312T150000Z", "DTEND:20270312T160000Z"))
    busy = busy_events(text, START, END, "UTC")
    assert {b.uid for b in busy} == {"series@x/20270310T150000Z", "series@x/20270312T150000Z", "opaque@x"}


def test_an_all_day_event_covers_its_days_in_the_providers_zone():
    text = calendar(lines("UID:offsite@x", "SUMMARY:Offsite", "DTSTART;VALUE=DATE:20270313",
                          "DTEND;VALUE=DATE:20270315"))
    [busy] = busy_events(text, START, END, "America/New_York")
    # 13 March starts at 00:00 EST (UTC-5); 15 March at 00:00 EDT (UTC-4), after the change on the 14th
    assert busy.start == datetime(2027, 3, 13, 5, tzinfo=UTC)
    assert busy.end == datetime(2027, 3, 15, 4, tzinfo=UTC)


def test_an_all_day_event_without_dtend_is_one_day():
    text = calendar(lines("UID:holiday@x", "DTSTART;VALUE=DATE:20270310"))
    [busy] = busy_events(text, START, END, "Europe/Paris")
    assert busy.start.astimezone(PARIS) == datetime(2027, 3, 10, tzinfo=PARIS)
    assert busy.end - busy.start == timedelta(days=1)


def test_floating_times_are_read_in_the_providers_zone():
    text = calendar(lines("UID:float@x", "DTSTART:20270310T090000", "DURATION:PT45M"))
    [busy] = busy_events(text, START, END, "Europe/Paris")
    assert busy.start == datetime(2027, 3, 10, 8, tzinfo=UTC)
    assert busy.end == datetime(2027, 3, 10, 8, 45, tzinfo=UTC)


@pytest.mark.parametrize("visibility", ["PRIVATE", "CONFIDENTIAL"])
def test_private_events_show_only_busy(visibility):
    text = calendar(lines("UID:p@x", "SUMMARY:Therapy", f"CLASS:{visibility}", "DTSTART:20270310T150000Z",
                          "DTEND:20270310T160000Z"),
                    lines("UID:q@x", "SUMMARY:Lunch", "CLASS:PUBLIC", "DTSTART:20270311T150000Z",
                          "DTEND:20270311T160000Z"))
    assert [b.title for b in busy_events(text, START, END, "UTC", private_title="Occupé")] == ["Occupé", "Lunch"]


def test_only_occurrences_overlapping_the_window_are_returned():
    text = calendar(lines("UID:daily@x", "DTSTART:20270228T230000Z", "DTEND:20270301T010000Z",
                          "RRULE:FREQ=DAILY;COUNT=90"))
    busy = busy_events(text, START, datetime(2027, 3, 4, tzinfo=UTC), "UTC")
    # 28 Feb 23:00-01:00 overlaps the window's start; 4 March 23:00 starts after its end
    assert [b.start.day for b in busy] == [28, 1, 2, 3]


def test_x_wr_timezone_feeds_are_read_in_the_named_zone():
    text = calendar(lines("UID:g@x", "DTSTART:20270310T090000", "DTEND:20270310T100000"),
                    extra="X-WR-TIMEZONE:America/New_York\r\n")
    [busy] = busy_events(text, START, END, "Europe/Paris")
    assert busy.start.astimezone(NEW_YORK).hour == 9


def test_a_vtimezone_with_a_custom_tzid_is_used():
    vtimezone = lines("BEGIN:VTIMEZONE", "TZID:Custom Eastern", "BEGIN:STANDARD", "DTSTART:19701101T020000",
                      "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500",
                      "END:STANDARD", "BEGIN:DAYLIGHT", "DTSTART:19700308T020000",
                      "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400",
                      "END:DAYLIGHT", "END:VTIMEZONE") + "\r\n"
    text = calendar(lines("UID:c@x", "DTSTART;TZID=Custom Eastern:20270308T090000",
                          "DTEND;TZID=Custom Eastern:20270308T100000", "RRULE:FREQ=WEEKLY;COUNT=2"), extra=vtimezone)
    assert [b.start.astimezone(UTC).hour for b in busy_events(text, START, END, "UTC")] == [14, 13]


@pytest.mark.parametrize("text", ["", "<!doctype html><html><body>Sign in</body></html>", "BEGIN:VCARD\r\nEND:VCARD",
                                  "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\n"])
def test_what_is_not_icalendar_is_refused(text):
    with pytest.raises(InvalidICalendar):
        busy_events(text, START, END, "UTC")


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(["America/New_York", "Europe/Paris", "Australia/Sydney", "Asia/Kolkata"]),
       first=st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 31)),
       hour=st.integers(min_value=6, max_value=20), minute=st.sampled_from([0, 15, 30, 45]),
       minutes=st.integers(min_value=15, max_value=180), count=st.integers(min_value=1, max_value=30),
       freq=st.sampled_from(["DAILY", "WEEKLY"]))
def test_every_occurrence_keeps_the_wall_clock_time_of_the_first(zone, first, hour, minute, minutes, count, freq):
    start = datetime.combine(first, datetime.min.time()).replace(hour=hour, minute=minute)
    end = start + timedelta(minutes=minutes)
    text = calendar(lines("UID:s@x", f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
                          f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}", f"RRULE:FREQ={freq};COUNT={count}"))
    window = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
    busy = busy_events(text, *window, "UTC")
    assert len(busy) == count
    assert len({b.uid for b in busy}) == count
    for occurrence in busy:
        local = occurrence.start.astimezone(ZoneInfo(zone))
        assert (local.hour, local.minute) == (hour, minute)
        assert occurrence.end > occurrence.start
