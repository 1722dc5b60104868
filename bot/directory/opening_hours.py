"""Is a place open at a given moment, when does it next open, and how to say so.

Times are wall-clock times in Europe/London, so a pharmacy that opens at 08:30 opens at 08:30
in summer and in winter. England's bank holidays come from the `holidays` package (kept up to
date by its maintainers, with substitute days), not from a list of our own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
DAY_MINUTES = 24 * 60
SEARCH_DAYS = 31  # how far ahead "next opening" looks


@dataclass(frozen=True)
class WeeklySession:
    weekday: int  # 0 = Monday
    opens: int  # minutes after midnight
    closes: int  # minutes after midnight (1440 = midnight)
    overnight: bool = False  # closes the next day
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def applies_on(self, day: dt.date) -> bool:
        return (day.weekday() == self.weekday
                and (self.valid_from is None or day >= self.valid_from)
                and (self.valid_to is None or day <= self.valid_to))


@dataclass(frozen=True)
class DatedException:
    starts: dt.date
    ends: dt.date
    closed: bool
    opens: int | None = None
    closes: int | None = None


@dataclass(frozen=True)
class OpeningRules:
    """Everything needed to answer "open?" for one service, independent of the database."""
    sessions: tuple[WeeklySession, ...] = ()
    always_open: bool = False
    bank_holidays: str = "closed"  # closed, normal, hours
    bank_holiday_hours: tuple[tuple[int, int], ...] = ()
    exceptions: tuple[DatedException, ...] = ()

    def __post_init__(self) -> None:
        # Sessions grouped by weekday once, since "open?" is asked many times per answer.
        by_day: dict[int, list[WeeklySession]] = {d: [] for d in range(7)}
        for session in self.sessions:
            by_day[session.weekday].append(session)
        object.__setattr__(self, "_by_weekday", {d: tuple(v) for d, v in by_day.items()})

    @property
    def known(self) -> bool:
        return self.always_open or bool(self.sessions)

    def sessions_on(self, day: dt.date) -> tuple[WeeklySession, ...]:
        return self._by_weekday[day.weekday()]


@lru_cache(maxsize=1)
def _england_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG")


@lru_cache(maxsize=4096)
def is_bank_holiday(day: dt.date) -> bool:
    return day in _england_holidays()


def intervals_starting_on(rules: OpeningRules, day: dt.date) -> list[tuple[int, int]]:
    """Opening intervals that start on `day`, in minutes; an overnight one ends after 1440."""
    if rules.always_open:
        return [(0, DAY_MINUTES)]
    todays = [e for e in rules.exceptions if e.starts <= day <= e.ends] if rules.exceptions else None
    if todays:
        if any(e.closed for e in todays):
            return []
        return sorted((e.opens, e.closes) for e in todays if e.opens is not None)
    if is_bank_holiday(day):
        if rules.bank_holidays == "closed":
            return []
        if rules.bank_holidays == "hours":
            return sorted(rules.bank_holiday_hours)
    return sorted((s.opens, s.closes + (DAY_MINUTES if s.overnight else 0))
                  for s in rules.sessions_on(day) if s.applies_on(day))


def _wall(at: dt.datetime) -> tuple[dt.date, int]:
    if at.tzinfo is None:
        raise ValueError("times must carry a time zone")
    local = _normalise(at)
    return local.date(), local.hour * 60 + local.minute


def _normalise(at: dt.datetime) -> dt.datetime:
    """Real London time. Going through UTC matters: astimezone() to the zone a datetime already
    has returns it unchanged, even for a wall time the clocks skipped."""
    return at.astimezone(dt.timezone.utc).astimezone(LONDON)


def current_interval(rules: OpeningRules, at: dt.datetime) -> tuple[dt.date, int, int] | None:
    """(start day, opens, closes) of the interval open at `at`, or None when closed."""
    day, minute = _wall(at)
    if rules.always_open:
        return day, 0, DAY_MINUTES
    for start, end in intervals_starting_on(rules, day):
        if start <= minute < end:
            return day, start, end
    yesterday = day - dt.timedelta(days=1)
    for start, end in intervals_starting_on(rules, yesterday):
        if end > DAY_MINUTES and minute < end - DAY_MINUTES:
            return yesterday, start, end
    return None


def is_open(rules: OpeningRules, at: dt.datetime) -> bool:
    return current_interval(rules, at) is not None


def _localise(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=LONDON)


def _first_moment_at_or_after(day: dt.date, minute: int) -> dt.datetime:
    """The first real moment whose London wall time is at or after (day, minute)."""
    moment = _normalise(_localise(day, minute).replace(fold=1))
    while _wall(moment) < (day, minute):
        moment += dt.timedelta(minutes=1)
    return moment


def next_opening(rules: OpeningRules, at: dt.datetime) -> dt.datetime | None:
    """The first moment at or after `at` when it is open (`at` itself when open now)."""
    if is_open(rules, at):
        return at
    day, minute = _wall(at)
    for offset in range(SEARCH_DAYS):
        d = day + dt.timedelta(days=offset)
        for start, end in intervals_starting_on(rules, d):
            start = min(start, DAY_MINUTES - 1)
            if offset == 0 and start <= minute:
                continue
            candidate = _localise(d, start)
            real_day, real_minute = _wall(candidate)
            if (real_day, real_minute) != (d, start):
                # The start falls in the hour skipped when clocks go forward: it opens at the
                # first real minute whose wall-clock time is past the start, if still open then.
                candidate = _first_moment_at_or_after(d, start)
                real_day, real_minute = _wall(candidate)
                if real_day != d or real_minute >= end:
                    continue
            return _normalise(candidate)
    return None


# --- plain-English wording ----------------------------------------------------------------

def format_time(minute: int) -> str:
    """'8am', '6:30pm', '12 noon', 'midnight'."""
    minute %= DAY_MINUTES
    if minute == 0:
        return "midnight"
    if minute == 12 * 60:
        return "12 noon"
    hour, mins = divmod(minute, 60)
    suffix = "am" if hour < 12 else "pm"
    hour = hour % 12 or 12
    return f"{hour}{suffix}" if mins == 0 else f"{hour}:{mins:02d}{suffix}"


def day_word(day: dt.date, today: dt.date) -> str:
    if day == today:
        return "today"
    if day == today + dt.timedelta(days=1):
        return "tomorrow"
    return day.strftime("%A")


def hours_text(rules: OpeningRules, day: dt.date) -> str:
    """Today's hours in words: '8am to 12:30pm and 1:30pm to 6:30pm', 'closed', 'open 24 hours'."""
    if rules.always_open:
        return "open 24 hours"
    if not rules.known:
        return "opening hours not listed"
    spans = intervals_starting_on(rules, day)
    if not spans:
        return "closed"
    return " and ".join(f"{format_time(s)} to {format_time(e)}" for s, e in spans)


def status_text(rules: OpeningRules, at: dt.datetime, upcoming: dt.datetime | None = None) -> str:
    """'Open 24 hours', 'Open now until 6:30pm', 'Closed now. Opens tomorrow at 8am'.

    `upcoming`, when the caller already has next_opening(rules, at), saves working it out again.
    """
    if rules.always_open:
        return "Open 24 hours"
    if not rules.known:
        return "Opening hours not listed: phone to check"
    today, _ = _wall(at)
    current = current_interval(rules, at)
    if current:
        _, _, end = current
        return f"Open now until {format_time(end)}"
    upcoming = upcoming or next_opening(rules, at)
    if upcoming is None:
        return "Closed now"
    return f"Closed now. Opens {day_word(upcoming.date(), today)} at {format_time(upcoming.hour * 60 + upcoming.minute)}"


GP_DAY_OPENS = 8 * 60  # the national GP contract's core hours: 8am to 6.30pm, Monday to Friday
GP_DAY_CLOSES = 18 * 60 + 30


def gp_out_of_hours(at: dt.datetime) -> bool:
    """True in the GP out-of-hours period (clinical guidance section 3): 6.30pm to 8am on
    weekdays, all weekend and bank holidays. Then NHS 111 stands in for the GP practice."""
    day, minute = _wall(at)
    if day.weekday() >= 5 or is_bank_holiday(day):
        return True
    return not GP_DAY_OPENS <= minute < GP_DAY_CLOSES


def opens_between(rules: OpeningRules, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
    """When the first opening that starts in [start, end) begins. A night session carried over
    from the day before does not count: "open on Saturday" means opening on Saturday."""
    if rules.always_open:
        return start
    day, last = _wall(start)[0], _wall(end)[0]
    while day <= last:
        for opens, _ in intervals_starting_on(rules, day):
            moment = _normalise(_localise(day, min(opens, DAY_MINUTES - 1)))
            if start <= moment < end:
                return moment
        day += dt.timedelta(days=1)
    return None
