"""EmergencyPolicy: a stated emergency interrupts whatever the assistant is waiting for.

Rasa's RulePolicy lets an active form run before any rule ("a loop has priority over any other
rule"), and the form runs whenever a slot it asks for was filled from the message. So a red flag
said while the assistant waited for the resident's town ("Chest pain, can't breathe" with "Chest"
tagged as a place) got "Which town…?" instead of 999 (issue 12, hazard H-21). This policy sits
above RulePolicy and answers a message whose intent is `emergency` (the red-flag component sets
it at full confidence; bot/triage/component.py) with the static 999 answers, then ends any open
question (form or loop), in every conversation state. It needs no action server.

Rasa's ensemble lets "no user" predictions (the form's happy path) overrule every other kind, and
breaks ties on priority, so this policy marks its predictions that way and takes priority 5,
one above RulePolicy's 4 (rasa.core.constants).
"""
from __future__ import annotations

from typing import Any

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_DEACTIVATE_LOOP_NAME, ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

EMERGENCY_INTENT = "emergency"
# The answer to a stated emergency, in order: the same responses as the rule in data/rules/.
EMERGENCY_ANSWER = ("utter_emergency", "utter_emergency_more")


def actions_since_user(tracker: DialogueStateTracker) -> list[str]:
    """Names of the actions run since the resident's latest message, oldest first."""
    names: list[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            names.append(event.action_name)
    return names[::-1]


def next_emergency_action(tracker: DialogueStateTracker) -> str | None:
    """What follows a stated emergency, or None when the latest message is not one."""
    if (tracker.latest_message.intent or {}).get("name") != EMERGENCY_INTENT:
        return None
    done = actions_since_user(tracker)
    answered = [name for name in done if name in EMERGENCY_ANSWER]
    if len(answered) < len(EMERGENCY_ANSWER):
        if done and done[-1] not in EMERGENCY_ANSWER:
            return None  # something else already answered this turn (the triage action): not ours
        return EMERGENCY_ANSWER[len(answered)]
    if done[-1] == EMERGENCY_ANSWER[-1] and tracker.active_loop_name:
        return ACTION_DEACTIVATE_LOOP_NAME  # the question it interrupted is closed
    return ACTION_LISTEN_NAME


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class EmergencyPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {POLICY_PRIORITY: RULE_POLICY_PRIORITY + 1}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn: the red-flag component decides what is an emergency

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: dict[str, Any] | None = None,
                                     **kwargs: Any) -> PolicyPrediction:
        action = next_emergency_action(tracker)
        if action is None:
            return self._prediction(self._default_predictions(domain))
        return self._prediction(confidence_scores_for(action, 1.0, domain), is_no_user_prediction=True)
