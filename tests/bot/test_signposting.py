"""Answer wording: urgency and why, places, 'nothing open' and safety-netting."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.directory.queries import PhoneNumber, SearchResult, ServiceInfo
from bot.signposting import AE_BETTER_PLACE, AE_WHEN, SAFETY_NET, ae_steering, outcome_message, places_message
from bot.triage.detector import find
from bot.triage.outcome import Outcome, decide


def service(open_now: bool) -> ServiceInfo:
    return ServiceInfo("x", "Test UTC", "urgent_treatment_centre", "c", "1 Road", "CW9 1AA",
                       (PhoneNumber("01632 960000", "voice", None),), None, (), None, False, None, (),
                       open_now, "Open now until 8pm" if open_now else "Closed now. Opens tomorrow at 8am",
                       "8am to 8pm", None if not open_now else dt.datetime(2026, 1, 1))


def test_nothing_open_says_so_and_gives_111():
    text = places_message(SearchResult((service(False),), "c", ("c",), False), "urgent_treatment_centre", "urgent")
    assert "None of these is open right now. Call 111" in text


def test_open_place_does_not_add_the_warning():
    text = places_message(SearchResult((service(True),), "c", ("c",), False), "urgent_treatment_centre", "urgent")
    assert "None of these" not in text and "Test UTC" in text and "01632 960000" in text


def test_a_and_e_steering_explains_and_never_forbids():
    message = outcome_message(decide(find("should I go to A&E with a sprained ankle")))
    assert "urgent treatment centre" in message and "quicker than A&E" in message
    assert "don't go" not in message.lower() and "do not go" not in message.lower()
    assert "999" in SAFETY_NET and "111" in SAFETY_NET


# --- A&E steering (issue 4, point 6): which place is better and why; A&E never forbidden
@pytest.mark.parametrize("text, better, why", [
    ("should I go to A&E with a sore throat", "pharmacist", "do not need an appointment"),
    ("is it worth going to a and e for a sprained ankle", "urgent treatment centre", "shorter"),
    ("a&e for toothache?", "dentist", "cannot usually treat teeth"),
    ("should i go to casualty, i need to register with a gp", "GP practice", "history"),
    ("should I take my 2 year old to A&E, she's got a high temperature", "111", "book you in"),
    ("should i go to a&e, i feel really low and anxious", "Talking therapies", "right places"),
])
def test_a_and_e_steering_names_a_better_place_and_why(text, better, why):
    steering = ae_steering(decide(find(text)))
    assert better.lower() in steering.lower() and why.lower() in steering.lower()
    assert "you can always go to A&E" in steering


def test_a_and_e_steering_never_forbids_and_is_silent_for_emergencies():
    for service in AE_BETTER_PLACE:
        text = ae_steering(Outcome("routine", service, "why"))
        assert not any(word in text.lower() for word in ("don't go", "do not go", "must not", "should not go"))
    assert ae_steering(decide(find("should I go to A&E, my dad has crushing chest pain"))) is None
    assert ae_steering(Outcome("routine", "some_new_type", "why")) == AE_WHEN


def test_every_non_emergency_service_the_rules_recommend_has_steering():
    import inspect

    from bot.triage import outcome as rules
    recommended = set(re.findall(r'Outcome\("(?:urgent|routine|self_care)", "(\w+)"', inspect.getsource(rules)))
    assert recommended and recommended <= set(AE_BETTER_PLACE)
