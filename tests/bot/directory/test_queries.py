"""The query API the actions call, against the fixture directory in a real SQLite database."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.directory.loader import load
from bot.directory.opening_hours import LONDON
from bot.directory.queries import find_services, normalise_postcode, resolve_place
from tests.bot.directory.conftest import VALID

MONDAY_10AM = dt.datetime(2026, 11, 23, 10, tzinfo=LONDON)
FRIDAY_8PM = dt.datetime(2026, 11, 27, 20, tzinfo=LONDON)


@pytest.fixture
def engine(sqlite_engine):
    load(VALID, sqlite_engine)
    return sqlite_engine


@pytest.mark.parametrize("text, community, matched_by", [
    ("Alphaton", "alpha", "name"),
    ("alphaton", "alpha", "name"),
    ("Alfaton", "alpha", "name"),  # a listed misspelling
    ("Alphatonn", "alpha", "misspelling"),  # an unlisted typo, matched fuzzily
    ("little alpha", "alpha", "name"),
    ("I'm in Betaford now", "beta", "name"),
    ("CW9 1AA", "alpha", "postcode"),
    ("cw91aa", "alpha", "postcode"),
    ("CW9", "alpha", "postcode"),
    ("CW11 4ZZ", "beta", "postcode"),
    ("CW12 3XY", "beta", "postcode"),  # a sector
    ("near CW11 1AB please", "beta", "postcode"),
])
def test_resolve_place_found(engine, text, community, matched_by):
    match = resolve_place(engine, text)
    assert (match.status, match.community_id, match.matched_by) == ("found", community, matched_by)


@pytest.mark.parametrize("text", ["Sharedville", "CW10", "CW10 9XY"])
def test_resolve_place_reports_ambiguity_instead_of_guessing(engine, text):
    match = resolve_place(engine, text)
    assert match.status == "ambiguous" and match.community_id is None
    assert {o.id for o in match.options} == {"alpha", "beta"}


@pytest.mark.parametrize("text", ["London", "SW1A 1AA", "CW12 4AB", "xyz", "al"])
def test_resolve_place_unknown(engine, text):
    assert resolve_place(engine, text).status == "unknown"


def test_normalise_postcode():
    assert normalise_postcode(" cw9 5hr ") == "CW9 5HR"
    assert normalise_postcode("CW10 1") == "CW10 1"
    assert normalise_postcode("Northwich") is None


def test_find_by_type_open_first(engine):
    result = find_services(engine, "alpha", "pharmacy", at=FRIDAY_8PM)
    assert [s.name for s in result.services] == ["Alpha Night Pharmacy", "Alpha Day Pharmacy"]
    night, day = result.services
    assert night.open_now and night.status == "Open now until 2am"
    assert not day.open_now and day.status == "Closed now. Opens tomorrow at 9am"
    assert not result.widened


def test_find_by_offered_service(engine):
    result = find_services(engine, "alpha", offer="pharmacy_first", at=MONDAY_10AM)
    assert [s.id for s in result.services] == ["alpha-day-pharmacy"]
    assert result.services[0].phones[0].number == "01632 960901"


def test_widens_to_neighbours_when_nothing_fits(engine):
    result = find_services(engine, "alpha", "urgent_treatment_centre", at=MONDAY_10AM)
    assert result.widened and [s.id for s in result.services] == ["beta-utc"]
    assert result.searched == ("alpha", "beta")


def test_temporarily_closed_services_are_not_offered(engine):
    result = find_services(engine, "alpha", "dentist", at=MONDAY_10AM)
    assert [s.id for s in result.services] == ["beta-dentist"] and result.widened


def test_national_services_when_nothing_local(engine):
    result = find_services(engine, "alpha", "mental_health_crisis", at=MONDAY_10AM)
    assert [s.id for s in result.services] == ["national-crisis-line"]


def test_eligibility_by_age_and_sex(engine):
    tuesday = dt.datetime(2026, 11, 24, 11, tzinfo=LONDON)
    assert [s.id for s in find_services(engine, "alpha", "sexual_health", at=tuesday, age=30, sex="female").services] \
        == ["alpha-womens-clinic"]
    assert not find_services(engine, "alpha", "sexual_health", at=tuesday, age=30, sex="male").found
    assert not find_services(engine, "alpha", "sexual_health", at=tuesday, age=70).found
    assert find_services(engine, "alpha", "sexual_health", at=tuesday).found  # nothing known: not filtered


def test_open_only_filters_closed_places(engine):
    result = find_services(engine, "alpha", "pharmacy", at=MONDAY_10AM, open_only=True)
    assert [s.id for s in result.services] == ["alpha-day-pharmacy"]
    sunday = dt.datetime(2026, 11, 29, 10, tzinfo=LONDON)
    assert not find_services(engine, "alpha", "pharmacy", at=sunday, open_only=True).found


def test_reload_is_seen_by_the_next_query(engine, valid_dir):
    alpha = valid_dir / "cheshire-west" / "alpha.yml"
    alpha.write_text(alpha.read_text().replace("Alpha Day Pharmacy", "Alpha Renamed Pharmacy")
                     .replace("  - Little Alpha\n", "  - Little Alpha\n  - Newplace\n"))
    assert resolve_place(engine, "Newplace").status == "unknown"
    load(valid_dir, engine)
    assert resolve_place(engine, "Newplace").community_id == "alpha"
    names = [s.name for s in find_services(engine, "alpha", "pharmacy", at=MONDAY_10AM).services]
    assert "Alpha Renamed Pharmacy" in names


def test_window_lists_places_open_then_with_that_days_hours(engine):
    saturday = dt.datetime(2026, 11, 28, 0, tzinfo=LONDON), dt.datetime(2026, 11, 29, 0, tzinfo=LONDON)
    result = find_services(engine, "alpha", "pharmacy", at=MONDAY_10AM, window=saturday)
    assert [s.name for s in result.services] == ["Alpha Day Pharmacy", "Alpha Night Pharmacy"]  # 9am, then 6pm
    assert [s.status for s in result.services] == ["Saturday: 9am to 5:30pm", "Saturday: 6pm to 2am"]


def test_window_with_nothing_open_finds_nothing_there(engine):
    sunday = dt.datetime(2026, 11, 29, 0, tzinfo=LONDON), dt.datetime(2026, 11, 30, 0, tzinfo=LONDON)
    result = find_services(engine, "alpha", "pharmacy", at=MONDAY_10AM, window=sunday, widen=False)
    # The night pharmacy is open until 2am on Sunday from Saturday's session; that is not "on Sunday".
    assert all("Alpha" not in s.name for s in result.services)


def test_window_starting_now_says_open_now(engine):
    window = FRIDAY_8PM, dt.datetime(2026, 11, 28, 0, tzinfo=LONDON)
    result = find_services(engine, "alpha", "pharmacy", at=FRIDAY_8PM, window=window)
    assert [(s.name, s.status) for s in result.services] == [("Alpha Night Pharmacy", "Open now until 2am")]
