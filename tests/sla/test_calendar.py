"""Business-time arithmetic: hand-computed examples, then properties checked by hypothesis.

The properties compare the calendar against itself (round trip, additivity, monotonicity...) and
against an independent oracle that converts each instant to local time with zoneinfo and looks at
the weekday, the time of day and the holiday list, which is the definition of "open".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitdesk.config import build_config, load_config
from gitdesk.errors import ConfigError, ValidationError
from gitdesk.model.calendar import Calendar, calendars_from_config

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
H = 3600
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = WEEKDAYS + ("sat", "sun")
REPO = Path(__file__).resolve().parents[2]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def office(zone="UTC", days=WEEKDAYS, spans=("09:00-17:00",), holidays=()):
    return Calendar("office", zone, {d: list(spans) for d in days}, list(holidays))


# -- hand-computed examples ------------------------------------------------------------------
def test_friday_afternoon_plus_two_hours_is_monday_ten():
    cal = office()
    friday = utc(2026, 11, 20, 16)
    assert friday.strftime("%a") == "Fri"
    assert cal.add_business(friday, 2 * H) == utc(2026, 11, 23, 10)
    assert cal.business_seconds(friday, utc(2026, 11, 23, 10)) == 2 * H
    # exactly at closing time the target is met on Friday, not on Monday morning
    assert cal.add_business(friday, 1 * H) == utc(2026, 11, 20, 17)


def test_ticket_opened_on_saturday_starts_its_clock_monday_at_nine():
    cal = office()
    saturday = utc(2026, 11, 21, 12, 34)
    assert not cal.is_open(saturday)
    assert cal.next_open(saturday) == utc(2026, 11, 23, 9)
    assert cal.add_business(saturday, 1 * H) == utc(2026, 11, 23, 10)
    assert cal.business_seconds(saturday, utc(2026, 11, 23, 9, 30)) == 30 * 60
    assert cal.business_seconds(saturday, utc(2026, 11, 23, 9)) == 0


def test_next_open_and_is_open_at_the_edges():
    cal = office()
    assert cal.is_open(utc(2026, 11, 23, 9)) and cal.next_open(utc(2026, 11, 23, 9)) == utc(2026, 11, 23, 9)
    assert not cal.is_open(utc(2026, 11, 23, 17))  # intervals are half open
    assert cal.next_open(utc(2026, 11, 23, 17)) == utc(2026, 11, 24, 9)
    assert cal.next_open(utc(2026, 11, 23, 8, 59, 59, 999999)) == utc(2026, 11, 23, 9)


def test_holidays_are_skipped_whole_days():
    cal = office("Europe/London", holidays=["2026-12-25", "2026-12-28"])
    thursday = datetime(2026, 12, 24, 16, tzinfo=LONDON)
    assert cal.add_business(thursday, 2 * H) == utc(2026, 12, 29, 10)  # Fri 25 and Mon 28 closed
    assert not cal.is_open(datetime(2026, 12, 25, 12, tzinfo=LONDON))
    assert cal.business_seconds(utc(2026, 12, 21), utc(2027, 1, 4)) == 8 * 8 * H  # 10 weekdays - 2
    assert cal.holidays == {date(2026, 12, 25), date(2026, 12, 28)}


def test_holiday_is_a_local_day():
    # 2026-07-03 00:00 in Los Angeles is 07:00 UTC: a 24x7-hours calendar loses exactly that day.
    cal = Calendar("west", "America/Los_Angeles", {d: ["00:00-24:00"] for d in ALL_DAYS}, ["2026-07-03"])
    assert cal.open_intervals(utc(2026, 7, 1), utc(2026, 7, 6)) == [
        (utc(2026, 7, 1), utc(2026, 7, 3, 7)),
        (utc(2026, 7, 4, 7), utc(2026, 7, 6)),
    ]


def test_several_intervals_a_day_and_a_lunch_break():
    cal = office(spans=("13:00-17:00", "09:00-12:00"))
    assert cal.add_business(utc(2026, 11, 23, 11), 2 * H) == utc(2026, 11, 23, 14)
    assert cal.business_seconds(utc(2026, 11, 23), utc(2026, 11, 24)) == 7 * H
    assert not cal.is_open(utc(2026, 11, 23, 12, 30))
    assert cal.weekly_seconds == 5 * 7 * H


def test_touching_and_overlapping_intervals_merge():
    cal = office(days=ALL_DAYS, spans=("22:00-24:00", "00:00-02:00", "01:00-01:30"))
    assert cal.open_intervals(utc(2026, 11, 23, 12), utc(2026, 11, 24, 12)) == [(utc(2026, 11, 23, 22), utc(2026, 11, 24, 2))]
    assert cal.weekly_seconds == 7 * 4 * H


@pytest.mark.parametrize(
    ("zone", "day", "opens_utc"),
    [
        ("Europe/London", date(2026, 3, 28), 9),  # Saturday, GMT
        ("Europe/London", date(2026, 3, 29), 8),  # spring forward: 09:00 BST = 08:00 UTC
        ("Europe/London", date(2026, 10, 24), 8),  # Saturday, BST
        ("Europe/London", date(2026, 10, 25), 9),  # fall back: 09:00 GMT
        ("America/New_York", date(2026, 3, 7), 14),  # EST
        ("America/New_York", date(2026, 3, 8), 13),  # spring forward: 09:00 EDT = 13:00 UTC
        ("America/New_York", date(2026, 10, 31), 13),  # EDT
        ("America/New_York", date(2026, 11, 1), 14),  # fall back: 09:00 EST = 14:00 UTC
    ],
)
def test_nine_to_five_is_eight_hours_on_daylight_saving_days(zone, day, opens_utc):
    cal = office(zone, days=ALL_DAYS)
    tz = ZoneInfo(zone)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)  # the whole local day
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    assert cal.business_seconds(start, end) == 8 * H
    opening = utc(day.year, day.month, day.day, opens_utc)
    assert cal.open_intervals(start, end) == [(opening, opening + timedelta(hours=8))]
    assert cal.next_open(start) == opening
    assert cal.add_business(start, 8 * H) == opening + timedelta(hours=8)


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/London", date(2026, 3, 29), 23),
        ("Europe/London", date(2026, 10, 25), 25),
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("America/New_York", date(2026, 11, 2), 24),
    ],
)
def test_a_whole_local_day_lasts_as_long_as_the_clock_says(zone, day, hours):
    cal = office(zone, days=ALL_DAYS, spans=("00:00-24:00",))
    tz = ZoneInfo(zone)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    assert cal.business_seconds(start, end) == hours * H
    # with the two days either side (aware arithmetic in one zone is wall-clock arithmetic)
    wider = (start - timedelta(days=2), end + timedelta(days=2))
    assert cal.business_seconds(*wider) == wider[1].timestamp() - wider[0].timestamp()


def test_intervals_across_the_changed_hour_in_new_york():
    cal = office("America/New_York", days=ALL_DAYS, spans=("01:00-03:00",))
    # spring forward at 02:00 EST -> 03:00 EDT: readings 02:00-02:59 never occur
    assert cal.open_intervals(utc(2026, 3, 8), utc(2026, 3, 9)) == [(utc(2026, 3, 8, 6), utc(2026, 3, 8, 7))]
    # fall back at 02:00 EDT -> 01:00 EST: readings 01:00-01:59 occur twice
    assert cal.open_intervals(utc(2026, 11, 1), utc(2026, 11, 2)) == [(utc(2026, 11, 1, 5), utc(2026, 11, 1, 8))]
    london = office("Europe/London", days=ALL_DAYS, spans=("01:00-02:00",))
    assert london.business_seconds(utc(2026, 3, 29), utc(2026, 3, 30)) == 0  # that hour is skipped
    assert london.business_seconds(utc(2026, 10, 25), utc(2026, 10, 26)) == 2 * H


def test_weekend_with_a_clock_change_between_friday_and_monday():
    cal = office("America/New_York")
    friday = datetime(2026, 3, 6, 16, tzinfo=NEW_YORK)  # 21:00 UTC (EST)
    due = cal.add_business(friday, 2 * H)
    assert due == utc(2026, 3, 9, 14)  # Monday 10:00 EDT
    assert due.astimezone(NEW_YORK).hour == 10
    assert (due - friday) == timedelta(hours=65)  # the wall clock lost an hour over the weekend
    assert cal.business_time(friday, due) == timedelta(hours=2)


def test_pause_spanning_a_night():
    cal = office("Europe/London")
    monday = datetime(2026, 11, 23, 9, tzinfo=LONDON)
    pending = [(datetime(2026, 11, 23, 15, tzinfo=LONDON), datetime(2026, 11, 24, 11, tzinfo=LONDON))]
    tuesday_end = datetime(2026, 11, 24, 17, tzinfo=LONDON)
    assert cal.business_seconds(monday, tuesday_end) == 16 * H
    assert cal.business_seconds(monday, tuesday_end, pending) == 12 * H  # Mon 15-17 and Tue 09-11 paused
    assert cal.add_business(monday, 8 * H, pending) == utc(2026, 11, 24, 13)  # 6 h Monday, 2 h after 11:00
    assert cal.add_business(monday, 6 * H, pending) == utc(2026, 11, 23, 15)  # met as the pause begins


def test_open_pause_lasts_until_end_and_hides_the_due_date():
    cal = office()
    monday = utc(2026, 11, 23, 9)
    still_pending = [(utc(2026, 11, 23, 10), None)]
    assert cal.business_seconds(monday, utc(2026, 11, 25, 12), still_pending) == 1 * H
    assert cal.add_business(monday, 2 * H, still_pending) is None
    assert cal.add_business(monday, 1 * H, still_pending) == utc(2026, 11, 23, 10)  # due before it began
    # a pause that began before the ticket and is still open: clock never ran
    assert cal.add_business(monday, 1 * H, [(utc(2026, 11, 20), None)]) is None
    assert cal.business_seconds(monday, utc(2026, 11, 30), [(utc(2026, 11, 20), None)]) == 0


def test_pause_that_ended_before_the_ticket_changes_nothing():
    cal = office()
    monday = utc(2026, 11, 23, 10)
    earlier = [(utc(2026, 11, 23, 9), utc(2026, 11, 23, 9, 30))]
    assert cal.add_business(monday, 2 * H, earlier) == utc(2026, 11, 23, 12)
    assert cal.business_seconds(monday, utc(2026, 11, 23, 12), earlier) == 2 * H


def test_overlapping_unordered_pauses_and_pauses_outside_the_span():
    cal = Calendar.twenty_four_seven()
    start, end = utc(2026, 1, 1), utc(2026, 1, 2)
    pauses = [
        (utc(2026, 1, 1, 12), utc(2026, 1, 1, 14)),
        (utc(2025, 12, 31), utc(2026, 1, 1, 1)),  # began before start
        (utc(2026, 1, 1, 13), utc(2026, 1, 1, 15)),  # overlaps the first
        (utc(2026, 1, 1, 23), utc(2026, 1, 3)),  # runs past end
        (utc(2026, 1, 5), utc(2026, 1, 6)),  # after end
    ]
    assert cal.business_seconds(start, end, pauses) == (24 - 1 - 3 - 1) * H
    assert cal.add_business(start, 19 * H, pauses) == utc(2026, 1, 1, 23)
    assert cal.add_business(start, 19 * H + 1, pauses) == utc(2026, 1, 3, 0, 0, 1)


def test_twenty_four_seven_is_wall_clock():
    cal = Calendar.from_config("always", "24x7")
    assert cal.is_24x7 and cal.weekly_seconds == 7 * 24 * H
    start = datetime(2026, 3, 28, 23, tzinfo=LONDON)
    # 90 days later on London's wall clock is one hour less of real time (spring forward)
    assert cal.business_seconds(start, start + timedelta(days=90)) == (90 * 24 - 1) * H
    assert cal.business_seconds(start, start.astimezone(UTC) + timedelta(days=90)) == 90 * 24 * H
    assert cal.add_business(start, 5400) == start + timedelta(minutes=90)
    assert cal.is_open(start) and cal.next_open(start) == start


def test_durations_as_int_float_and_timedelta():
    cal = office()
    start = utc(2026, 11, 23, 9)
    assert cal.add_business(start, 1.5) == start + timedelta(seconds=1.5)
    assert cal.add_business(start, timedelta(hours=9)) == utc(2026, 11, 24, 10)
    assert cal.add_business(start, 0) == start
    assert cal.add_business(utc(2026, 11, 21), 0) == utc(2026, 11, 21)  # zero elapsed: the start itself
    assert cal.business_time(start, utc(2026, 11, 23, 9, 0, 0, 1)) == timedelta(microseconds=1)


def test_span_across_a_table_block_boundary():
    # the tables are cut every 365 UTC days; one falls on 2025-12-18 00:00 UTC
    cal = office(days=ALL_DAYS, spans=("00:00-02:00", "22:00-24:00"))
    boundary = utc(2025, 12, 18)
    assert cal.open_intervals(utc(2025, 12, 17, 12), utc(2025, 12, 18, 12)) == [(utc(2025, 12, 17, 22), utc(2025, 12, 18, 2))]
    assert cal.business_seconds(utc(2025, 12, 17, 23), boundary) + cal.business_seconds(boundary, utc(2025, 12, 18, 1)) == 2 * H
    assert cal.add_business(utc(2025, 12, 17, 23), 2 * H) == utc(2025, 12, 18, 1)
    assert cal.business_seconds(utc(2024, 1, 1), utc(2028, 1, 1)) == 4 * H * (365 * 4 + 1)


def test_due_date_years_ahead_and_into_the_past():
    cal = office(days=("wed",), spans=("10:00-10:30",))
    start = utc(2026, 1, 1)
    due = cal.add_business(start, 52 * 30 * 60 * 3)  # about three years of Wednesdays
    assert due.strftime("%a %H:%M") == "Wed 10:30"
    assert cal.business_seconds(start, due) == 52 * 30 * 60 * 3
    assert cal.business_seconds(utc(2001, 1, 1), start) == cal.business_seconds(utc(2001, 1, 1), utc(2013, 1, 1)) + cal.business_seconds(utc(2013, 1, 1), start)


# -- configuration ---------------------------------------------------------------------------
def test_calendars_of_the_sample_help_desk():
    config = load_config(REPO)
    cals = calendars_from_config(config)
    assert cals["always"].is_24x7
    office_cal = cals["office"]
    assert office_cal.zone.key == "Europe/London"
    assert office_cal.weekly_seconds == int((4 * 9.5 + 8.5) * H)
    # Thursday 24 Dec 2026, 16:00: 2 h left that day; Fri 25 and Mon 28 are holidays
    assert office_cal.add_business(datetime(2026, 12, 24, 16, tzinfo=LONDON), 3 * H) == datetime(2026, 12, 29, 9, 30, tzinfo=LONDON)
    assert office_cal.next_open(datetime(2026, 11, 27, 17, 30, tzinfo=LONDON)) == datetime(2026, 11, 30, 8, 30, tzinfo=LONDON)


def test_default_calendars_and_default_timezone():
    config = build_config({"timezone": "America/New_York", "sla": {"calendars": {"desk": {"hours": {"mon": ["09:00-17:00"]}}}}})
    cals = calendars_from_config(config)
    assert set(cals) >= {"always", "office", "desk"}
    assert cals["office"].zone.key == "UTC"
    assert cals["desk"].zone.key == "America/New_York"  # no timezone: the help desk's


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ({"hours": {"mon": ["22:00-02:00"]}}, "sla.calendars.night.hours.mon[0]", "cross midnight"),
        ({"hours": {"mon": ["09:00-09:00"]}}, "sla.calendars.night.hours.mon[0]", "ends before it starts"),
        ({"hours": {"mon": ["9-17"]}}, "sla.calendars.night.hours.mon[0]", "HH:MM-HH:MM"),
        ({"hours": {"mon": ["24:00-24:00"]}}, "sla.calendars.night.hours.mon[0]", "HH:MM-HH:MM"),
        ({"hours": {"mon": "09:00-17:00"}}, "sla.calendars.night.hours.mon", "expected a list"),
        ({"hours": {"monday": ["09:00-17:00"]}}, "sla.calendars.night.hours.monday", "unknown weekday"),
        ({"hours": {}}, "sla.calendars.night.hours", "no opening hours"),
        ({}, "sla.calendars.night.hours", "no opening hours"),
        ({"timezone": "Mars/Olympus", "hours": {"mon": ["09:00-17:00"]}}, "sla.calendars.night.timezone", "unknown time zone"),
        ({"timezone": "", "hours": {"mon": ["09:00-17:00"]}}, "sla.calendars.night.timezone", "IANA"),
        ({"hours": {"mon": ["09:00-17:00"]}, "holidays": ["2026-02-30"]}, "sla.calendars.night.holidays[0]", "not a date"),
        ({"hours": {"mon": ["09:00-17:00"]}, "holidays": ["20261225"]}, "sla.calendars.night.holidays[0]", "YYYY-MM-DD"),
        ({"hours": {"mon": ["09:00-17:00"]}, "holidays": "2026-12-25"}, "sla.calendars.night.holidays", "list of dates"),
        ({"hours": {"mon": ["09:00-17:00"]}, "closed": []}, "sla.calendars.night", "unknown key 'closed'"),
        ("24/7", "sla.calendars.night", '"24x7"'),
    ],
)
def test_bad_calendar_entries_name_file_and_field(entry, field, words):
    with pytest.raises(ConfigError) as info:
        Calendar.from_config("night", entry, path="helpdesk.yml")
    assert info.value.path == "helpdesk.yml"
    assert info.value.field == field
    assert words in info.value.message
    assert info.value.line().startswith(f"helpdesk.yml: {field}: ")


def test_holidays_given_as_yaml_dates():
    cal = Calendar.from_config("office", {"hours": {"fri": ["09:00-17:00"]}, "holidays": [date(2026, 12, 25)]})
    assert not cal.is_open(utc(2026, 12, 25, 12))
    with pytest.raises(ConfigError, match="date and time"):
        Calendar.from_config("office", {"hours": {"fri": ["09:00-17:00"]}, "holidays": [utc(2026, 12, 25)]})


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda c: c.business_seconds(datetime(2026, 1, 1), utc(2026, 1, 2)), "has no time zone"),
        (lambda c: c.is_open("2026-01-01T00:00:00Z"), "expected a date and time"),
        (lambda c: c.next_open(date(2026, 1, 1)), "expected a date and time"),
        (lambda c: c.business_seconds(utc(2026, 1, 2), utc(2026, 1, 1)), "before start"),
        (lambda c: c.business_seconds(utc(2026, 1, 1), utc(2026, 1, 2), [(utc(2026, 1, 1, 5), utc(2026, 1, 1, 4))]), "pauses[0]: end"),
        (lambda c: c.business_seconds(utc(2026, 1, 1), utc(2026, 1, 2), [utc(2026, 1, 1, 5)]), "pauses[0]: expected a (start, end) pair"),
        (lambda c: c.business_seconds(utc(2026, 1, 1), utc(2026, 1, 2), [(None, None)]), "pauses[0] start"),
        (lambda c: c.add_business(utc(2026, 1, 1), -1), "negative"),
        (lambda c: c.add_business(utc(2026, 1, 1), float("nan")), "not a number"),
        (lambda c: c.add_business(utc(2026, 1, 1), "1h"), "expected seconds"),
        (lambda c: c.is_open(utc(1899, 12, 31)), "outside the years 1900-2199"),
        (lambda c: c.add_business(utc(2199, 12, 1), 1000 * H), "before the year 2200"),
        (lambda c: Calendar.twenty_four_seven().add_business(utc(2199, 12, 1), 1000 * H), "after the year 2199"),
        (lambda c: Calendar.twenty_four_seven().add_business(utc(2026, 1, 1), 10**12), "after the year 2199"),
    ],
)
def test_bad_arguments_are_validation_errors(call, words):
    with pytest.raises(ValidationError) as info:
        call(office())
    assert words in info.value.message


# -- properties ------------------------------------------------------------------------------
# Specs in minutes, turned into configuration strings, so the oracle shares no parsing with the code.
SPECS = {
    "london-office": ("Europe/London", {d: [(540, 1020)] for d in range(5)}, ["2025-12-25", "2025-12-26", "2026-04-03", "2026-12-25", "2027-03-26"]),
    "new-york-split": ("America/New_York", {**{d: [(480, 720), (780, 1080)] for d in range(5)}, 5: [(600, 840)]}, ["2026-07-03", "2026-11-26"]),
    "new-york-nights": ("America/New_York", {d: [(0, 180), (1320, 1440)] for d in range(7)}, ["2026-03-08"]),
    "london-small-hours": ("Europe/London", {d: [(60, 120), (1410, 1440)] for d in range(7)}, []),
    "sydney": ("Australia/Sydney", {d: [(510, 1050)] for d in range(5)}, ["2026-01-26"]),
    "kolkata-wednesday": ("Asia/Kolkata", {2: [(600, 630)]}, []),
}


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _build(name):
    zone, week, holidays = SPECS[name]
    hours = {("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d]: [f"{_hhmm(a)}-{_hhmm(b)}" for a, b in spans] for d, spans in week.items()}
    return Calendar.from_config(name, {"timezone": zone, "hours": hours, "holidays": holidays})


CALENDARS = {name: _build(name) for name in SPECS}
CALENDARS["24x7"] = Calendar.twenty_four_seven()


def oracle_is_open(name: str, instant: datetime) -> bool:
    if name == "24x7":
        return True
    zone, week, holidays = SPECS[name]
    local = instant.astimezone(ZoneInfo(zone))
    if local.date().isoformat() in holidays:
        return False
    minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    return any(a <= minute < b for a, b in week.get(local.weekday(), []))


PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T0 = utc(2025, 1, 1)
DST_DAYS = [utc(2025, 3, 9), utc(2025, 3, 30), utc(2025, 10, 26), utc(2025, 11, 2), utc(2026, 3, 8), utc(2026, 3, 29),
            utc(2026, 4, 5), utc(2026, 10, 4), utc(2026, 10, 25), utc(2026, 11, 1), utc(2025, 12, 18)]

calendar_names = st.sampled_from(sorted(CALENDARS))
# instants anywhere in four years, or within two days of a clock change (or the table boundary)
anywhere = st.integers(0, 4 * 366 * 86400 * 10**6).map(lambda us: T0 + timedelta(microseconds=us))
near_change = st.builds(lambda day, us: day + timedelta(microseconds=us), st.sampled_from(DST_DAYS), st.integers(-2 * 86400 * 10**6, 2 * 86400 * 10**6))
instants = st.one_of(anywhere, near_change)
spans = st.integers(0, 120 * 86400 * 10**6).map(lambda us: timedelta(microseconds=us))


@st.composite
def pause_lists(draw, start, length, open_ended=True):
    out = []
    for _ in range(draw(st.integers(0, 4))):
        near = draw(st.sampled_from([start, start + length]))  # around an end, or anywhere in the span
        a = draw(st.one_of(
            st.integers(-2 * 86400, 2 * 86400).map(lambda s: near + timedelta(seconds=s)),
            st.integers(0, int(length.total_seconds())).map(lambda s: start + timedelta(seconds=s)),
        ))
        if open_ended and draw(st.integers(0, 5)) == 0:
            out.append((a, None))
        else:
            out.append((a, a + timedelta(seconds=draw(st.integers(0, 4 * 86400)))))
    return out


@st.composite
def scenario(draw, open_ended=True):
    name = draw(calendar_names)
    start = draw(instants)
    length = draw(spans)
    return CALENDARS[name], name, start, start + length, draw(pause_lists(start, length, open_ended))


@PROPS
@given(scenario(open_ended=False))
def test_round_trip_lands_at_or_before_end_at_the_same_business_position(case):
    cal, _, start, end, pauses = case
    elapsed = cal.business_time(start, end, pauses)
    due = cal.add_business(start, elapsed, pauses)
    assert start <= due <= end
    assert cal.business_time(start, due, pauses) == elapsed
    if elapsed:  # and it is the first such instant
        assert cal.business_time(start, due - timedelta(microseconds=1), pauses) < elapsed
    # the float API agrees
    assert cal.add_business(start, cal.business_seconds(start, end, pauses), pauses) == due


@PROPS
@given(scenario(), st.floats(0, 1))
def test_additive_over_a_split_point(case, share):
    cal, _, start, end, pauses = case
    middle = start + (end - start) * share
    assert cal.business_time(start, end, pauses) == cal.business_time(start, middle, pauses) + cal.business_time(middle, end, pauses)


@PROPS
@given(scenario(), spans)
def test_monotonic_in_end_and_never_more_than_wall_clock(case, more):
    cal, _, start, end, pauses = case
    shorter = cal.business_time(start, end, pauses)
    longer = cal.business_time(start, end + more, pauses)
    assert timedelta(0) <= shorter <= longer
    assert longer <= end + more - start
    assert longer - shorter <= more


@PROPS
@given(scenario())
def test_pauses_only_reduce(case):
    cal, _, start, end, pauses = case
    assert cal.business_time(start, end, pauses) <= cal.business_time(start, end)
    for i in range(len(pauses)):  # each pause removed gives back time or nothing
        assert cal.business_time(start, end, pauses[:i] + pauses[i + 1:]) >= cal.business_time(start, end, pauses)


@PROPS
@given(scenario(open_ended=False), st.integers(0, 5 * 86400), st.integers(0, 5 * 86400), st.integers(1, 100 * H))
def test_pauses_outside_the_span_change_nothing(case, before, length, target):
    cal, _, start, end, pauses = case
    earlier = start - timedelta(seconds=before)
    outside = [(earlier - timedelta(seconds=length), earlier), (end + timedelta(seconds=before), None)]
    assert cal.business_time(start, end, pauses + outside) == cal.business_time(start, end, pauses)
    due = cal.add_business(start, target, pauses)
    assert cal.add_business(start, target, pauses + outside[:1]) == due


def _covered(start, end, pauses):
    """Length of the union of the pauses within [start, end], by sweeping sorted edges."""
    edges = []
    for a, b in pauses:
        b = end if b is None else b
        a, b = max(a, start), min(b, end)
        if a < b:
            edges += [(a, 1), (b, -1)]
    covered, depth, since = timedelta(0), 0, None
    for when, step in sorted(edges, key=lambda e: (e[0], -e[1])):
        if depth == 0 and step == 1:
            since = when
        depth += step
        if depth == 0:
            covered += when - since
    return covered


@PROPS
@given(instants, spans, st.data())
def test_twenty_four_seven_is_wall_clock_minus_pauses(start, length, data):
    cal = CALENDARS["24x7"]
    end = start + length
    pauses = data.draw(pause_lists(start, length))
    assert cal.business_time(start, end, pauses) == (end - start) - _covered(start, end, pauses)


@PROPS
@given(scenario(), st.randoms(use_true_random=False))
def test_independent_of_the_order_of_pauses(case, rnd):
    cal, _, start, end, pauses = case
    shuffled = list(pauses)
    rnd.shuffle(shuffled)
    assert cal.business_time(start, end, shuffled) == cal.business_time(start, end, pauses)
    closed = [p for p in pauses if p[1] is not None]
    assert cal.add_business(start, timedelta(hours=5), closed) == cal.add_business(start, timedelta(hours=5), closed[::-1])


@PROPS
@given(scenario(open_ended=False), st.integers(1, 200 * H), st.integers(-3 * 86400, 10 * 86400))
def test_an_open_pause_hides_the_due_date_only_if_it_starts_before_it(case, target, began):
    cal, _, start, _, pauses = case
    due = cal.add_business(start, target, pauses)
    still_open = start + timedelta(seconds=began)
    with_open = cal.add_business(start, target, pauses + [(still_open, None)])
    assert with_open == (None if still_open < due else due)


@PROPS
@given(calendar_names, instants)
def test_is_open_matches_local_wall_clock(name, instant):
    assert CALENDARS[name].is_open(instant) == oracle_is_open(name, instant)


@PROPS
@given(calendar_names, instants)
def test_next_open_is_the_first_open_instant(name, instant):
    cal = CALENDARS[name]
    nxt = cal.next_open(instant)
    assert nxt >= instant and cal.is_open(nxt) and oracle_is_open(name, nxt)
    assert cal.business_time(instant, nxt) == timedelta(0)
    assert (nxt == instant) == cal.is_open(instant)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendar_names, instants.map(lambda t: t.replace(second=0, microsecond=0)), st.integers(0, 2 * 24 * 60))
def test_business_time_matches_a_minute_by_minute_count(name, start, minutes):
    # all opening edges fall on whole minutes in these zones, so counting minutes is exact
    expected = sum(oracle_is_open(name, start + timedelta(minutes=m)) for m in range(minutes))
    assert CALENDARS[name].business_time(start, start + timedelta(minutes=minutes)) == timedelta(minutes=expected)
