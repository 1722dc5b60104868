"""The urgency rules (guidance sections 3 to 8), without Rasa: the public sets and the decisions."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.triage.detector import find
from bot.directory.opening_hours import LONDON
from bot.triage.outcome import GP_CLOSED_NOW, decide

DATA = Path(__file__).resolve().parents[2] / "data"


def outcome(text: str):
    o = decide(find(text))
    return (o.urgency, o.service) if o else None


@pytest.mark.parametrize("name", ["pharmacy_first_and_self_care.yml", "urgent.yml", "routine.yml"])
def test_public_sets_at_least_90_percent(name):
    items = yaml.safe_load((DATA / name).read_text())
    wrong = [(i["text"], (i["expect_urgency"], i["expect_service"]), outcome(i["text"])) for i in items
             if outcome(i["text"]) != (i["expect_urgency"], i["expect_service"])]
    assert len(wrong) <= len(items) // 10, "\n".join(map(str, wrong))


def test_no_under_triage_to_self_care_in_the_urgent_set():
    items = yaml.safe_load((DATA / "urgent.yml").read_text())
    assert not [i["text"] for i in items if (outcome(i["text"]) or ("", ""))[0] in ("self_care", "routine")]


@pytest.mark.parametrize("text, expected", [
    ("I'm a 25 year old woman and it burns when I wee", ("self_care", "pharmacy")),
    ("I'm a man and it burns when I pee", ("urgent", "gp_practice")),  # H-07
    ("I'm pregnant and think I have a uti", ("urgent", "gp_practice")),
    ("third uti this year, I'm 30", ("routine", "gp_practice")),
    ("earache, I'm 30", ("routine", "gp_practice")),
    ("my 7 year old has earache", ("self_care", "pharmacy")),
    ("shingles rash, I'm 70", ("self_care", "pharmacy")),
    ("shingles and I'm pregnant", ("urgent", "gp_practice")),
    ("sprained my ankle", ("urgent", "urgent_treatment_centre")),
    ("bad toothache and my face is swollen", ("urgent", "urgent_dental")),
    ("I've been having suicidal thoughts", ("urgent", "mental_health_crisis")),
    ("I've been feeling low for weeks", ("routine", "talking_therapies")),
    ("I need my repeat prescription", ("routine", "gp_practice")),
    ("I feel really unwell and don't know what's wrong", ("urgent", "nhs_111")),
    ("my baby has a temperature", ("urgent", "nhs_111")),
    ("condom split last night", ("urgent", "pharmacy")),
    ("cough and cold", ("self_care", "pharmacy")),
    ("my son is 8 and has chest pain", ("emergency", "call_999")),
])
def test_rules(text, expected):
    assert outcome(text) == expected


def test_pharmacy_first_asks_for_a_pharmacy_first_pharmacy():
    o = decide(find("I have a sore throat"))
    assert o.offer == "pharmacy_first" and o.needs_place


def test_not_a_health_problem_has_no_outcome():
    assert decide(find("what's the weather like in Chester")) is None


# --- out of hours from the clock (guidance section 3): 6.30pm to 8am, weekends, bank holidays
WEEKDAY_MORNING = dt.datetime(2026, 11, 25, 10, tzinfo=LONDON)
WEEKDAY_NIGHT = dt.datetime(2026, 11, 25, 21, tzinfo=LONDON)
SATURDAY = dt.datetime(2026, 11, 28, 12, tzinfo=LONDON)
BOXING_DAY_OBSERVED = dt.datetime(2026, 12, 28, 11, tzinfo=LONDON)


@pytest.mark.parametrize("at, service", [(WEEKDAY_MORNING, "gp_practice"), (WEEKDAY_NIGHT, "nhs_111"),
                                         (SATURDAY, "nhs_111"), (BOXING_DAY_OBSERVED, "nhs_111")])
def test_gp_today_becomes_111_when_gp_practices_are_closed(at, service):
    o = decide(find("I think I have a water infection and I'm pregnant"), at=at)
    assert (o.urgency, o.service) == ("urgent", service)
    if service == "nhs_111":
        assert "closed now" in o.reason and "111" in o.reason


def test_routine_gp_answer_says_when_practices_are_closed():
    daytime = decide(find("I need to register with a GP"), at=WEEKDAY_MORNING)
    night = decide(find("I need to register with a GP"), at=WEEKDAY_NIGHT)
    assert (daytime.urgency, daytime.service) == (night.urgency, night.service) == ("routine", "gp_practice")
    assert night.note == GP_CLOSED_NOW and daytime.note != GP_CLOSED_NOW


def test_urgent_dental_out_of_hours_goes_to_111_first():
    o = decide(find("really bad toothache, my face is swelling up"), at=SATURDAY)
    assert (o.urgency, o.service) == ("urgent", "urgent_dental") and "call 111" in o.reason
    assert "Call your dentist" not in o.reason


def test_words_still_count_without_the_clock():
    o = decide(find("I'm pregnant and think I have a UTI, the surgery is closed"))
    assert (o.urgency, o.service) == ("urgent", "nhs_111")


def test_pharmacy_first_does_not_depend_on_the_clock():
    assert {(decide(find("I have a sore throat"), at=at).service) for at in (WEEKDAY_MORNING, SATURDAY)} == {"pharmacy"}
