"""PlaceEntityFilter: a `place` entity is kept only when it names a place in the directory.

The entity model tags capitalised first words as places now and then ("I've", "Chest", "Sorry",
"Sunday" in "open on Sunday?"). Taken as the resident's town, such a word filled the place
question's slot and the form ran instead of the answer the message needed (issue 12, hazard
H-21). This component runs after the entity extractor and drops every `place` entity that does
not resolve to a town, village, suburb or postcode of the live directory (misspellings allowed,
as bot.directory.queries.resolve_place matches them). The directory is read at run time, so a
place staff add is recognised without retraining.

If the directory cannot be read (no database loaded, as under `rasa shell` before
`make directory`), entities are left as the model gave them: the place form's validation
resolves them against the directory anyway, and says so when it cannot.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sqlalchemy.exc import SQLAlchemyError

from bot.directory.db import get_engine
from bot.directory.queries import resolve_place

log = logging.getLogger(__name__)
PLACE = "place"


def names_a_place(value: str) -> bool | None:
    """True if the words resolve to a place (or to several: the form then asks which), False if
    they do not, None if the directory cannot be read."""
    try:
        return resolve_place(get_engine(), value).status != "unknown"
    except SQLAlchemyError as exc:
        log.warning("Place entities not checked: the directory cannot be read (%s)", exc.__class__.__name__)
        return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PlaceEntityFilter(GraphComponent):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "PlaceEntityFilter":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if not any(e.get("entity") == PLACE for e in entities):
                continue
            kept = [e for e in entities
                    if e.get("entity") != PLACE or names_a_place(str(e.get("value", ""))) is not False]
            if len(kept) != len(entities):
                message.set(ENTITIES, kept, add_to_output=True)
        return messages
