"""Plain English (issue 4, point 8): what residents read is for a reading age of 9 to 11.

Measured with textstat's Flesch-Kincaid grade: UK reading age is about the US school grade + 5,
so a reading age of 11 or under is a grade of 6 or under. Every static response and every
answer the triage rules can give (worded for each item of the public sets) is checked.
"""
from __future__ import annotations

import statistics
from pathlib import Path

import pytest
import textstat
import yaml

from bot import signposting
from bot.directory.opening_hours import LONDON
from bot.triage import outcome as rules
from bot.triage.detector import find
from bot.triage.outcome import decide

ROOT = Path(__file__).resolve().parents[2]
MAX_GRADE = 6.0  # reading age 11
MAX_MEAN_GRADE = 4.5  # reading age about 9 to 10 on average


def domain_texts() -> dict[str, str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return {f"{name}[{i}]": v["text"] for name, variants in domain["responses"].items()
            for i, v in enumerate(variants) if "text" in v}


def answer_texts() -> dict[str, str]:
    import datetime as dt
    texts: dict[str, str] = {}
    for path in sorted((ROOT / "tests" / "data").glob("*.yml")):
        for item in yaml.safe_load(path.read_text()):
            for at in (None, dt.datetime(2026, 11, 28, 12, tzinfo=LONDON)):  # and with GP practices closed
                o = decide(find(item["text"]), at=at)
                if o and o.urgency != "emergency":  # emergencies are answered by domain responses
                    texts[f"{o.service}/{o.condition}: {o.reason[:40]}/{o.note}"] = signposting.outcome_message(o)
    for service, text in signposting.AE_BETTER_PLACE.items():
        texts[f"A&E steering: {service}"] = f"{text} {signposting.AE_STILL_WORRIED}"
    for name in ("AE_WHEN", "SAFETY_NET", "GET_HELP", "NHS_111"):
        texts[name] = getattr(signposting, name)
    for name in ("GP_CLOSED_NOW", "DENTAL_CLOSED_NOW"):
        texts[name] = getattr(rules, name)
    return texts


ALL = {**domain_texts(), **answer_texts()}


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


@pytest.mark.parametrize("name", sorted(ALL))
def test_each_message_is_for_a_reading_age_of_11_or_under(name):
    assert grade(ALL[name]) <= MAX_GRADE, ALL[name]


def test_messages_are_easy_on_average():
    assert len(ALL) > 60
    assert statistics.mean(grade(t) for t in ALL.values()) <= MAX_MEAN_GRADE


def test_the_measure_can_fail():
    hard = ("Notwithstanding the aforementioned considerations, individuals experiencing persistent "
            "symptomatology should consult appropriately qualified healthcare professionals.")
    assert grade(hard) > MAX_GRADE
