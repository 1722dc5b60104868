"""A measured fix to one hot spot in Rasa 3.6, applied when Rasa loads our channels.

Rasa checks every custom action's answer against a JSON schema with `jsonschema.validate`,
which first re-checks the schema itself against the JSON Schema meta-schema and builds a new
validator, on every call. Under load that was 45% of the Rasa server's CPU (py-spy, 16 residents
with no pause; benchmarks/RESULTS.md). Here the validator is built and the schema checked once;
the answer is still validated in full, with the same error (best_match) and message as Rasa's.
"""
from __future__ import annotations

from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_validator = None


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    global _validator
    if _validator is None:
        schema = self.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    error = best_match(_validator.iter_errors(result))
    if error is None:
        return True
    error.message += (". Failed to validate Action server response from API, make sure your response from the "
                      f"Action endpoint is valid. For more information about the format visit "
                      f"{DOCS_BASE_URL}/custom-actions")
    raise error


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result


__all__ = ["apply", "ValidationError"]
