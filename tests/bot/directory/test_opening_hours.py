"""Opening hours: split sessions, overnight, 24 hours, validity dates, exceptions, bank holidays
and clock changes, with examples and with hypothesis properties."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.directory.opening_hours import (LONDON, DatedException, OpeningRules, WeeklySession, gp_out_of_hours,
                                         opens_between,
                                         format_time, hours_text, is_bank_holiday, is_open,
                                         next_opening, status_text)

H = 60
UTC = dt.timezone.utc
WEEKDAYS = range(5)


def at(y, mo, d, h, mi=0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=LONDON)


SURGERY = OpeningRules(sessions=tuple(
    WeeklySession(d, o, c) for d in WEEKDAYS for o, c in ((8 * H, 12 * H + 30), (13 * H + 30, 18 * H + 30))))
NIGHT = OpeningRules(sessions=(WeeklySession(4, 18 * H, 2 * H, overnight=True),), bank_holidays="normal")


def test_split_session_closed_over_lunch():
    monday = at(2026, 11, 23, 0)
    assert is_open(SURGERY, monday.replace(hour=9))
    assert not is_open(SURGERY, monday.replace(hour=13))
    assert is_open(SURGERY, monday.replace(hour=13, minute=30))
    assert not is_open(SURGERY, monday.replace(hour=18, minute=30))
    assert hours_text(SURGERY, monday.date()) == "8am to 12:30pm and 1:30pm to 6:30pm"


def test_lunch_closure_next_opening_is_the_afternoon():
    assert next_opening(SURGERY, at(2026, 11, 23, 12, 45)) == at(2026, 11, 23, 13, 30)
    assert status_text(SURGERY, at(2026, 11, 23, 12, 45)) == "Closed now. Opens today at 1:30pm"


def test_friday_evening_to_monday_morning():
    assert next_opening(SURGERY, at(2026, 11, 27, 19)) == at(2026, 11, 30, 8)
    assert status_text(SURGERY, at(2026, 11, 27, 19)) == "Closed now. Opens Monday at 8am"


def test_overnight_session_spills_into_saturday():
    assert is_open(NIGHT, at(2026, 11, 27, 23, 59))  # Friday
    assert is_open(NIGHT, at(2026, 11, 28, 1, 30))  # Saturday early hours
    assert not is_open(NIGHT, at(2026, 11, 28, 2, 0))
    assert status_text(NIGHT, at(2026, 11, 28, 1)) == "Open now until 2am"


def test_always_open():
    rules = OpeningRules(always_open=True)
    assert is_open(rules, at(2026, 12, 25, 3)) and status_text(rules, at(2026, 12, 25, 3)) == "Open 24 hours"


def test_valid_from_and_to_switch_hours_on_a_date():
    rules = OpeningRules(sessions=(WeeklySession(0, 9 * H, 17 * H, valid_to=dt.date(2026, 11, 30)),
                                   WeeklySession(0, 10 * H, 14 * H, valid_from=dt.date(2026, 12, 1))))
    assert is_open(rules, at(2026, 11, 30, 16))
    assert not is_open(rules, at(2026, 12, 7, 16)) and is_open(rules, at(2026, 12, 7, 11))


def test_dated_closure_and_special_hours():
    rules = OpeningRules(sessions=tuple(WeeklySession(d, 9 * H, 17 * H) for d in range(7)), exceptions=(
        DatedException(dt.date(2026, 12, 24), dt.date(2026, 12, 24), False, 9 * H, 13 * H),
        DatedException(dt.date(2026, 12, 29), dt.date(2026, 12, 31), True)))
    assert not is_open(rules, at(2026, 12, 24, 14)) and is_open(rules, at(2026, 12, 24, 12))
    assert not is_open(rules, at(2026, 12, 30, 12))
    # 1 January is a bank holiday (closed by default), so it reopens on the 2nd.
    assert next_opening(rules, at(2026, 12, 29, 8)) == at(2027, 1, 2, 9)


def test_bank_holidays_from_the_holidays_package():
    assert is_bank_holiday(dt.date(2026, 12, 25)) and is_bank_holiday(dt.date(2026, 8, 31))
    assert is_bank_holiday(dt.date(2026, 12, 28))  # Boxing Day falls on a Saturday: substitute day
    assert not is_bank_holiday(dt.date(2026, 11, 23))
    assert not is_open(SURGERY, at(2026, 8, 31, 10))  # summer bank holiday Monday: closed by default
    assert next_opening(SURGERY, at(2026, 8, 31, 10)) == at(2026, 9, 1, 8)
    hours = OpeningRules(sessions=SURGERY.sessions, bank_holidays="hours", bank_holiday_hours=((10 * H, 14 * H),))
    assert is_open(hours, at(2026, 8, 31, 11)) and not is_open(hours, at(2026, 8, 31, 15))
    normal = OpeningRules(sessions=SURGERY.sessions, bank_holidays="normal")
    assert is_open(normal, at(2026, 8, 31, 9))


def test_clock_changes_keep_wall_clock_hours():
    daily = OpeningRules(sessions=tuple(WeeklySession(d, 8 * H, 20 * H) for d in range(7)))
    # 29 March 2026: clocks go forward; 25 October 2026: clocks go back.
    for day in (dt.date(2026, 3, 29), dt.date(2026, 10, 25)):
        opens = next_opening(daily, dt.datetime.combine(day, dt.time(3), tzinfo=LONDON))
        assert (opens.hour, opens.minute) == (8, 0)
        assert is_open(daily, dt.datetime.combine(day, dt.time(19, 59), tzinfo=LONDON))
    # In UTC the same 8am opening is an hour apart either side of the change.
    before = next_opening(daily, at(2026, 3, 28, 3)).astimezone(dt.timezone.utc)
    after = next_opening(daily, at(2026, 3, 30, 3)).astimezone(dt.timezone.utc)
    assert (before.hour, after.hour) == (8, 7)


def test_session_starting_in_the_skipped_hour_opens_when_it_ends():
    rules = OpeningRules(sessions=(WeeklySession(6, 1 * H + 30, 4 * H),))  # Sundays 1:30am to 4am
    opens = next_opening(rules, at(2026, 3, 29, 0, 30))
    assert opens.astimezone(LONDON).strftime("%H:%M") == "02:00"  # 1:30am does not exist that day
    assert is_open(rules, opens)


def test_format_time():
    assert [format_time(m) for m in (0, 8 * H, 12 * H, 18 * H + 30, 24 * H)] == \
        ["midnight", "8am", "12 noon", "6:30pm", "midnight"]


def test_unknown_hours_say_so():
    assert status_text(OpeningRules(), at(2026, 11, 23, 9)) == "Opening hours not listed: phone to check"


# --- properties ----------------------------------------------------------------------------

minutes_st = st.integers(min_value=0, max_value=24 * H - 1)


@st.composite
def sessions(draw):
    opens = draw(minutes_st)
    overnight = draw(st.booleans())
    if overnight:
        closes = draw(st.integers(min_value=0, max_value=opens))
    else:
        closes = draw(st.integers(min_value=opens + 1, max_value=24 * H))
    return WeeklySession(draw(st.integers(0, 6)), opens, closes, overnight)


rules_st = st.builds(
    OpeningRules,
    sessions=st.lists(sessions(), max_size=4).map(tuple),
    bank_holidays=st.sampled_from(["closed", "normal"]),
)
moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31),
                       timezones=st.just(LONDON))


@settings(max_examples=300, deadline=None)
@given(rules_st, moments)
def test_next_opening_is_open_and_not_in_the_past(rules, when):
    upcoming = next_opening(rules, when)
    if upcoming is None:
        return
    assert upcoming.astimezone(UTC) >= when.astimezone(UTC)
    assert is_open(rules, upcoming)
    if is_open(rules, when):
        assert upcoming == when


@settings(max_examples=200, deadline=None)
@given(rules_st, moments)
def test_closed_until_next_opening(rules, when):
    """Nothing opens between now and the reported next opening (checked every 15 minutes).

    The probe steps in UTC: Python adds timedeltas to same-zone datetimes in wall-clock time,
    which would step into the hour the clocks skip."""
    upcoming = next_opening(rules, when)
    if upcoming is None or upcoming == when:
        return
    probe, end = when.astimezone(UTC), upcoming.astimezone(UTC)
    while probe < end and probe < when.astimezone(UTC) + dt.timedelta(days=8):
        assert not is_open(rules, probe), probe
        probe += dt.timedelta(minutes=15)


@settings(max_examples=200, deadline=None)
@given(sessions(), moments)
def test_a_weekly_session_is_open_at_its_start_and_closed_at_its_end(session, when):
    rules = OpeningRules(sessions=(session,), bank_holidays="normal")
    day = when.date() + dt.timedelta(days=(session.weekday - when.weekday()) % 7)
    start = dt.datetime.combine(day, dt.time(session.opens // H, session.opens % H), tzinfo=LONDON)
    if start.astimezone(dt.timezone.utc).astimezone(LONDON).replace(tzinfo=None) != start.replace(tzinfo=None):
        return  # the start falls in the hour skipped by the clocks going forward
    assert is_open(rules, start)


@settings(max_examples=200, deadline=None)
@given(rules_st, moments)
def test_always_open_wins(rules, when):
    always = OpeningRules(sessions=rules.sessions, always_open=True)
    assert is_open(always, when) and next_opening(always, when) == when


@pytest.mark.parametrize("at, closed", [
    (dt.datetime(2026, 11, 25, 7, 59, tzinfo=LONDON), True),  # Wednesday before 8am
    (dt.datetime(2026, 11, 25, 8, 0, tzinfo=LONDON), False),
    (dt.datetime(2026, 11, 25, 18, 29, tzinfo=LONDON), False),
    (dt.datetime(2026, 11, 25, 18, 30, tzinfo=LONDON), True),  # 6.30pm
    (dt.datetime(2026, 11, 28, 12, 0, tzinfo=LONDON), True),  # Saturday
    (dt.datetime(2026, 11, 29, 12, 0, tzinfo=LONDON), True),  # Sunday
    (dt.datetime(2026, 12, 28, 12, 0, tzinfo=LONDON), True),  # Monday 28 December 2026: substitute bank holiday
    (dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.timezone.utc), False),  # 10am in London (summer time)
    (dt.datetime(2026, 7, 1, 17, 45, tzinfo=dt.timezone.utc), True),  # 6.45pm in London
])
def test_gp_out_of_hours_follows_the_guidance(at, closed):
    assert gp_out_of_hours(at) is closed


def test_opens_between_ignores_a_night_carried_over():
    night = OpeningRules(sessions=(WeeklySession(4, 18 * 60, 2 * 60, overnight=True),))  # Friday 6pm to 2am
    saturday = dt.datetime(2026, 11, 28, tzinfo=LONDON), dt.datetime(2026, 11, 29, tzinfo=LONDON)
    assert opens_between(night, *saturday) is None
    friday = dt.datetime(2026, 11, 27, tzinfo=LONDON), dt.datetime(2026, 11, 28, tzinfo=LONDON)
    assert opens_between(night, *friday) == dt.datetime(2026, 11, 27, 18, tzinfo=LONDON)
