"""The urgency rules (guidance sections 3 to 8), without Rasa: the public sets and the decisions."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.triage.detector import find
from bot.triage.outcome import decide

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
