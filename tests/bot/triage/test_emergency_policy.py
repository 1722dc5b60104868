"""EmergencyPolicy: what it predicts after a stated emergency, in and out of an open question."""
from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.paths import ROOT
from bot.triage.emergency_policy import next_emergency_action

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("someone", [ActionExecuted("action_listen"), *events], DOMAIN.slots)


def said(intent: str, text: str = "…", entities=()) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 1.0}, entities=list(entities))


PLACE_QUESTION = [said("find_service"), ActionExecuted("action_find_service"), SlotSet("needs_place", True),
                  ActionExecuted("place_form"), ActiveLoop("place_form"), SlotSet("requested_slot", "place"),
                  ActionExecuted("action_listen")]


@pytest.mark.parametrize("before", [[], PLACE_QUESTION], ids=["no question open", "place question open"])
def test_an_emergency_is_answered_with_999_first(before):
    t = tracker(*before, said("emergency", "Chest pain, can't breathe",
                              [{"entity": "place", "value": "Chest", "start": 0, "end": 5}]),
                SlotSet("place", "Chest"))
    assert next_emergency_action(t) == "utter_emergency"
    t.update(ActionExecuted("utter_emergency"))
    assert next_emergency_action(t) == "utter_emergency_more"
    t.update(ActionExecuted("utter_emergency_more"))
    if before:
        assert next_emergency_action(t) == "action_deactivate_loop"
        t.update(ActionExecuted("action_deactivate_loop"))
        t.update(ActiveLoop(None))
    assert next_emergency_action(t) == "action_listen"


def test_other_messages_are_left_to_the_other_policies():
    assert next_emergency_action(tracker(*PLACE_QUESTION, said("describe_problem"))) is None
    assert next_emergency_action(tracker(*PLACE_QUESTION, said("inform_place"))) is None


def test_an_emergency_already_answered_by_another_action_is_not_answered_again():
    t = tracker(said("emergency"), ActionExecuted("action_triage"))
    assert next_emergency_action(t) is None
