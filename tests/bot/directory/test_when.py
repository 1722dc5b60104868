"""Time words residents use ("open now", "tonight", "on Sunday") become the right window."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.directory.opening_hours import LONDON
from bot.directory.when import asked_window

WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, tzinfo=LONDON)
SUNDAY_3PM = dt.datetime(2026, 11, 29, 15, tzinfo=LONDON)


def day(d: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, d, hour, tzinfo=LONDON)


@pytest.mark.parametrize("text, start, end, words", [
    ("is the chemist open now", WEDNESDAY_10AM, WEDNESDAY_10AM + dt.timedelta(minutes=1), "now"),
    ("any pharmacy open at the moment", WEDNESDAY_10AM, WEDNESDAY_10AM + dt.timedelta(minutes=1), "now"),
    ("pharmacy open tonight", day(25, 18), day(26), "tonight"),
    ("late night chemist in crewe", day(25, 18), day(26), "tonight"),
    ("which pharmacy is open on sunday", day(29), day(30), "on Sunday"),
    ("dentist open saturdays?", day(28), day(29), "on Saturday"),
    ("is my gp open tomorrow", day(26), day(27), "tomorrow"),
    ("tmrw", day(26), day(27), "tomorrow"),
    ("walk in centre open at the weekend", day(28), day(30), "at the weekend"),
    ("is the chemist open today", WEDNESDAY_10AM, day(26), "today"),
    ("open on wednesday?", WEDNESDAY_10AM, day(26), "today"),  # today's day name: from now
])
def test_time_words_become_a_window(text, start, end, words):
    window = asked_window(text, WEDNESDAY_10AM)
    assert (window.start, window.end, window.words) == (start, end, words)


def test_tonight_when_it_is_already_evening_starts_now():
    now = day(25, 21)
    assert asked_window("any chemist open tonight", now).start == now


def test_weekend_asked_on_sunday_is_the_rest_of_this_weekend():
    window = asked_window("open this weekend", SUNDAY_3PM)
    assert (window.start, window.end) == (SUNDAY_3PM, day(30))


def test_bank_holiday_is_the_next_one_in_england():
    window = asked_window("is any pharmacy open on the bank holiday", WEDNESDAY_10AM)
    assert window.start == dt.datetime(2026, 12, 25, tzinfo=LONDON)  # Christmas Day
    assert "bank holiday" in window.words


@pytest.mark.parametrize("text", ["find a pharmacy in Crewe", "I sat on a wasp", "too much sun", "c'mon",
                                  "where is the dentist"])
def test_no_time_words_no_window(text):
    assert asked_window(text, WEDNESDAY_10AM) is None


def test_window_words_read_again_give_the_same_window():
    """The words are kept in a slot and parsed again when the place is known."""
    for text in ("open on sunday", "tonight", "at the weekend", "tomorrow", "bank holiday"):
        first = asked_window(text, WEDNESDAY_10AM)
        again = asked_window(first.words, WEDNESDAY_10AM)
        assert (again.start, again.end) == (first.start, first.end)
