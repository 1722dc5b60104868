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


def test_a_symptom_with_a_question_about_a_and_e_is_an_a_and_e_question():
    for classifier in ("describe_problem", "out_of_scope", "find_service"):
        out = run(message("should i go to a&e with a sprained ankle", classifier))
        assert out.get(INTENT)["name"] == "ask_about_ae", classifier


def test_the_classifiers_a_and_e_guess_is_kept_without_a_symptom():
    assert run(message("should I go to hospital", "ask_about_ae")).get(INTENT)["name"] == "ask_about_ae"


def test_a_red_flag_beats_the_a_and_e_question():
    out = run(message("should I go to A&E, my dad has crushing chest pain", "ask_about_ae", 0.99))
    assert out.get(INTENT)["name"] == "emergency"


def test_asking_where_a_and_e_is_stays_a_search():
    assert run(message("where is the nearest A&E", "find_service")).get(INTENT)["name"] == "find_service"


def test_a_symptom_without_a_and_e_words_is_a_problem_whatever_the_classifier_guessed():
    out = run(message("my toddlers got a temp of 38.5 and is really grizzly", "ask_about_ae"))
    assert out.get(INTENT)["name"] == "describe_problem"


def test_a_search_naming_a_kind_of_place_stays_a_search():
    for text in ("need an emergency dentist in Chester asap", "where's the nearest sexual health clinic to Knutsford"):
        assert run(message(text, "find_service")).get(INTENT)["name"] == "find_service", text


def test_a_need_without_a_kind_of_place_still_goes_to_triage():
    assert run(message("where can i get the coil fitted", "find_service")).get(INTENT)["name"] == "describe_problem"
