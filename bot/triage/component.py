"""RedFlagDetector: a Rasa NLU component that forces the emergency path on a red flag.

It also sends a message that names a symptom to triage (intent describe_problem, or
ask_about_ae when the resident asks about A&E) when the classifier had put it elsewhere, so that
every health problem gets an urgency.

It runs after the intent classifier and before the FallbackClassifier. When bot.triage finds
a red flag, the intent becomes `emergency` with confidence 1.0, whatever the classifier said,
and the message gains entities that fill the outcome slots (`red_flag`, `urgency`,
`recommended_service`) through ordinary slot mappings. A rule answers with a static response,
so none of this needs the action server. The model can add recall (it learns an `emergency`
intent too); it cannot take an emergency away.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.directory.vocabulary import service_type_in
from bot.triage.detector import find

EMERGENCY_INTENT = "emergency"
PROBLEM_INTENT = "describe_problem"
AE_INTENT = "ask_about_ae"  # "should I go to A&E with ...": triaged, with why another place is better
FIND_INTENT = "find_service"
# Intents the classifier may give a message that the rules recognise better: a symptom goes to
# triage and a named kind of place to find_service. An `emergency` guess with no red flag is
# only replaced when the rules recognise a non-emergency symptom (cautious otherwise).
REPLACEABLE = {"out_of_scope", "greet", "goodbye", "thank", "ask_capabilities", "find_service", "inform_place",
               EMERGENCY_INTENT}
# Conditions that are symptoms (not just the name of a service, such as "dentist").
SYMPTOMS = {"sore_throat", "earache", "sinusitis", "uti", "shingles", "impetigo", "insect_bite", "minor_illness",
            "minor_injury", "stomach_pain", "vomiting", "high_temperature", "rash", "dental",
            "mental_health_crisis", "mental_health_low", "emergency_contraception", "feeling_unwell"}
EXTRACTOR = "RedFlagDetector"


def _entity(name: str, value: str, start: int, end: int) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": start, "end": end,
            "confidence_entity": 1.0, "extractor": EXTRACTOR}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
                           DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class RedFlagDetector(GraphComponent):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "RedFlagDetector":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue  # button payloads are not a resident's words
            findings = find(text)
            if not findings.emergency:
                current = (message.get(INTENT) or {}).get("name")
                # A&E named in the words; the classifier's guess alone does not add steering.
                asks_about_ae = "asks_about_ae" in findings.modifiers
                if set(findings.conditions) & SYMPTOMS:
                    # A symptom the rules know always reaches triage, at full confidence, so the
                    # FallbackClassifier cannot turn it into "Sorry, I didn't understand".
                    self._set_intent(message, AE_INTENT if asks_about_ae else PROBLEM_INTENT)
                elif current == AE_INTENT:
                    continue
                elif current == EMERGENCY_INTENT:
                    self._add_entities(message, [_entity("urgency", "emergency", 0, len(text)),
                                                 _entity("recommended_service", "call_999", 0, len(text))])
                elif current == FIND_INTENT and service_type_in(text):
                    # "emergency dentist in Chester", "sexual health clinic near me": a search, even
                    # when the words also name a need the rules know.
                    self._set_intent(message, FIND_INTENT)
                elif current in REPLACEABLE | {PROBLEM_INTENT} and findings.conditions:
                    self._set_intent(message, AE_INTENT if asks_about_ae else PROBLEM_INTENT)  # "dental check-up", "where can I get the coil fitted"
                elif current in REPLACEABLE and service_type_in(text):
                    self._set_intent(message, FIND_INTENT)  # "food bank SK11 7"
                continue
            flag = findings.red_flags[0]
            self._set_intent(message, EMERGENCY_INTENT)
            self._add_entities(message, [_entity("red_flag", flag.flag, flag.start, flag.end),
                                         _entity("urgency", "emergency", flag.start, flag.end),
                                         _entity("recommended_service", "call_999", flag.start, flag.end)])
        return messages

    @staticmethod
    def _add_entities(message: Message, extra: list[dict[str, Any]]) -> None:
        entities = [e for e in message.get(ENTITIES, []) or [] if e.get("extractor") != EXTRACTOR]
        message.set(ENTITIES, entities + extra, add_to_output=True)

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        intent = {"name": name, "confidence": 1.0}
        # The classifier's other guesses stay in the ranking for the record, at half their
        # confidence: the FallbackClassifier's ambiguity check (top two within 0.1) must never
        # turn an emergency into "Sorry, I didn't understand".
        ranking = [intent] + [{**i, "confidence": float(i.get("confidence", 0.0)) * 0.5}
                              for i in message.get(INTENT_RANKING_KEY, []) or [] if i.get("name") != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
