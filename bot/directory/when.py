"""When a resident asks a place to be open: "open now", "tonight", "on Sunday", "at the weekend".

The words become a window of time in Europe/London; the directory then lists places open at
some moment of it. Parsing is a small table of phrases rather than a date library: residents
name days and parts of days, not dates, and an unknown phrase must never become a wrong time.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.directory.opening_hours import LONDON, is_bank_holiday

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Whole day names, or abbreviations that are not also everyday words ("sat", "sun", "wed").
DAY_RE = re.compile(r"\b(monday|tuesday|tues|wednesday|weds|thursday|thurs|friday|saturday|sunday)s?\b")
DAY_PREFIXES = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
NOW_RE = re.compile(r"\b(open now|now|right now|at the moment|atm|currently|still open|open yet)\b")
TONIGHT_RE = re.compile(r"\b(tonight|tonite|this evening|late tonight|late night|later on)\b")
TODAY_RE = re.compile(r"\b(today|2day)\b")
TOMORROW_RE = re.compile(r"\b(tomorrow|tomoz|tmrw|tmr|2moro|2morrow)\b")
WEEKEND_RE = re.compile(r"\b(weekend|wkend)\b")
BANK_HOLIDAY_RE = re.compile(r"\bbank hol(?:iday)?s?\b")
EVENING = dt.time(18, 0)


@dataclass(frozen=True)
class Window:
    """From `start` (inclusive) to `end` (exclusive), and how to say it ("on Sunday")."""
    start: dt.datetime
    end: dt.datetime
    words: str

    @property
    def is_now(self) -> bool:
        return self.end - self.start <= dt.timedelta(minutes=1)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON)


def _whole_days(first: dt.date, days: int, now: dt.datetime, words: str) -> Window:
    start = max(_day_start(first), now)
    return Window(start, _day_start(first + dt.timedelta(days=days)), words)


def asked_window(text: str, now: dt.datetime) -> Window | None:
    """The time a message asks about, or None when it names no time (then: open now first)."""
    lowered = text.lower()
    now = now.astimezone(LONDON)
    today = now.date()
    if TONIGHT_RE.search(lowered):
        start = max(now, dt.datetime.combine(today, EVENING, tzinfo=LONDON))
        return Window(start, _day_start(today + dt.timedelta(days=1)), "tonight")
    if TOMORROW_RE.search(lowered):
        return _whole_days(today + dt.timedelta(days=1), 1, now, "tomorrow")
    if BANK_HOLIDAY_RE.search(lowered):
        day = _next_bank_holiday(today)
        if day:
            return _whole_days(day, 1, now, f"on the bank holiday ({day.strftime('%A')} {day.day} {day.strftime('%B')})")
    if WEEKEND_RE.search(lowered):
        saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            saturday = today - dt.timedelta(days=1)
        return _whole_days(saturday, 2, now, "at the weekend")
    match = DAY_RE.search(lowered)
    if match:
        weekday = DAY_PREFIXES[match.group(1)[:3]]
        day = today + dt.timedelta(days=(weekday - today.weekday()) % 7)
        return _whole_days(day, 1, now, "today" if day == today else f"on {DAYS[weekday].title()}")
    if TODAY_RE.search(lowered):
        return _whole_days(today, 1, now, "today")
    if NOW_RE.search(lowered):
        return Window(now, now + dt.timedelta(minutes=1), "now")
    return None


def _next_bank_holiday(today: dt.date) -> dt.date | None:
    return next((today + dt.timedelta(days=n) for n in range(370) if is_bank_holiday(today + dt.timedelta(days=n))),
                None)
