"""Measured fixes to hot spots in Rasa 3.6, applied when Rasa loads our channels.

Each one keeps Rasa's behaviour and was found with py-spy under load (benchmarks/RESULTS.md):

1. Rasa checks every custom action's answer against a JSON schema with `jsonschema.validate`,
   which re-checks the schema against the meta-schema and builds a new validator on every call
   (45% of the Rasa server's CPU), and then walks the schema's `oneOf` of every event type for
   each event (13% more). The schema is now compiled once with fastjsonschema; an answer it
   passes is valid. Anything it rejects goes to jsonschema, built once, which decides as Rasa
   does and raises Rasa's own error (best_match) and message.
2. `Event.resolve_by_type` (every event read from the tracker store or an action's answer)
   walks all Event subclasses, with `inspect.isabstract` on each, to find one name: 8% of the
   CPU. The name-to-class table is now built once, and rebuilt when a name is not in it (a
   subclass imported since); unknown names still go to Rasa's own code (errors, defaults).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import fastjsonschema
from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_fast_check: Optional[Callable[[Any], Any]] = None
_validator = None


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    global _fast_check, _validator
    if _validator is None:
        schema = self.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
        _fast_check = fastjsonschema.compile(schema)
    try:
        _fast_check(result)
        return True
    except fastjsonschema.JsonSchemaException:
        pass  # jsonschema decides, and words the error, as in Rasa
    error = best_match(_validator.iter_errors(result))
    if error is None:
        return True
    error.message += (". Failed to validate Action server response from API, make sure your response from the "
                      f"Action endpoint is valid. For more information about the format visit "
                      f"{DOCS_BASE_URL}/custom-actions")
    raise error


_rasa_resolve_by_type = Event.resolve_by_type
_event_types: dict[str, type] = {}


def _resolve_by_type(type_name: str, default: Optional[type] = None) -> Optional[type]:
    cls = _event_types.get(type_name)
    if cls is None:
        _event_types.clear()
        for subclass in all_subclasses(Event):  # Rasa's order: the first class with the name wins
            _event_types.setdefault(subclass.type_name, subclass)
        cls = _event_types.get(type_name)
    return cls if cls is not None else _rasa_resolve_by_type(type_name, default)


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)


__all__ = ["apply", "ValidationError"]
