"""The Rasa NLU component: a red flag forces the emergency intent and the outcome entities."""
from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.triage.component import RedFlagDetector


def message(text: str, intent: str, confidence: float = 0.9) -> Message:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "emergency", "confidence": 0.05}]
    return Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking, ENTITIES: []})


def run(msg: Message) -> Message:
    return RedFlagDetector().process([msg])[0]


def test_red_flag_overrides_the_classifier_with_a_clear_margin():
    out = run(message("my baby is floppy and won't feed", "greet", 0.99))
    assert out.get(INTENT) == {"name": "emergency", "confidence": 1.0}
    ranking = out.get(INTENT_RANKING_KEY)
    assert ranking[0]["name"] == "emergency" and ranking[1]["confidence"] <= 0.5
    values = {e["entity"]: e["value"] for e in out.get(ENTITIES)}
    assert values == {"red_flag": "child_signs", "urgency": "emergency", "recommended_service": "call_999"}


def test_classifier_emergency_without_red_flag_but_a_known_symptom_goes_to_triage():
    out = run(message("done my back in gardening, just aching", "emergency", 0.98))
    assert out.get(INTENT)["name"] == "describe_problem"


def test_classifier_emergency_with_nothing_recognised_stays_an_emergency():  # H-09
    out = run(message("please help quickly something is very wrong with him", "emergency", 0.9))
    assert out.get(INTENT)["name"] == "emergency"
    assert {e["entity"] for e in out.get(ENTITIES)} == {"urgency", "recommended_service"}


def test_a_named_place_type_goes_to_find_service():
    assert run(message("food bank ch66 3", "out_of_scope")).get(INTENT)["name"] == "find_service"


def test_button_payloads_are_left_alone():
    out = run(message('/find_service{"service_type": "pharmacy"}', "find_service", 1.0))
    assert out.get(INTENT)["name"] == "find_service"
