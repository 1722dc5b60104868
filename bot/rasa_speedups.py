"""Measured fixes to hot spots in Rasa 3.6, applied when Rasa loads our channels.

Each one keeps Rasa's behaviour and was found with py-spy under load (benchmarks/RESULTS.md):

1. Rasa checks every custom action's answer against a JSON schema with `jsonschema.validate`,
   which re-checks the schema against the meta-schema and builds a new validator on every call
   (45% of the Rasa server's CPU), and then walks the schema's `oneOf` of every event type for
   each event (13% more). The schema is now compiled once with fastjsonschema, and each event
   is checked against the one `oneOf` branch whose `event` const is its name (the branches'
   consts are distinct, so that branch is the only one that can match: "exactly one" holds
   when it does). An answer that passes is valid. Anything rejected goes to jsonschema, built
   once, which decides as Rasa does and raises Rasa's own error (best_match) and message.
2. `Event.resolve_by_type` (every event read from the tracker store or an action's answer)
   walks all Event subclasses, with `inspect.isabstract` on each, to find one name: 8% of the
   CPU. The name-to-class table is now built once, and rebuilt when a name is not in it (a
   subclass imported since); unknown names still go to Rasa's own code (errors, defaults).
3. A message's features from several featurizers were joined two at a time: a deep copy, then
   one scipy `hstack` per featurizer, for sequence and sentence features, each time a component
   asks (14% with the intent classifier's own stacking). They are now joined in one `hstack`
   (or one `np.concatenate`): the same matrix, same shape, same dtype, same values.
4. The logistic-regression intent classifier stacked each message's sentence features beside an
   empty dense matrix, then stacked the rows. With no dense features that is the sparse matrix
   itself, in CSR form; that is what it now gets (anything else takes Rasa's code).
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Optional

import fastjsonschema
from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
import numpy as np
import scipy.sparse
from rasa.core.actions.action import RemoteAction
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses

_fast_check: Optional[Callable[[Any], Any]] = None
_validator = None


def _compile_fast_check(schema: dict[str, Any]) -> Callable[[Any], Any]:
    """A check that passes only what `schema` passes; it raises JsonSchemaException otherwise."""
    items = schema.get("properties", {}).get("events", {}).get("items", {})
    branches = items.get("oneOf") or []
    names = [branch.get("properties", {}).get("event", {}).get("const") for branch in branches]
    if not branches or None in names or len(set(names)) != len(names) or "event" not in items.get("required", []):
        return fastjsonschema.compile(schema)  # not the shape this relies on: the schema as it is
    base = copy.deepcopy(schema)
    del base["properties"]["events"]["items"]["oneOf"]
    check_base = fastjsonschema.compile(base)
    by_name = {name: fastjsonschema.compile(branch) for name, branch in zip(names, branches)}

    def check(result: Any) -> Any:
        check_base(result)  # an object; events a list of objects, each with a string `event`
        for event in result.get("events") or []:
            branch = by_name.get(event["event"])
            if branch is None:
                raise fastjsonschema.JsonSchemaException(f"no event type {event['event']!r}")
            branch(event)
        return result

    return check


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    global _fast_check, _validator
    if _validator is None:
        schema = self.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
        _fast_check = _compile_fast_check(schema)
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


_rasa_combine_features = Message._combine_features


def _combine_features(features: list[Features], featurizers: list[str]) -> Optional[Features]:
    if len(features) < 2:
        return _rasa_combine_features(features, featurizers)
    first = features[0]
    if all(f.is_sparse() for f in features):
        for other in features[1:]:
            if first.features.shape[0] != other.features.shape[0]:
                raise ValueError(f"Cannot combine sparse features as sequence dimensions do not "
                                 f"match: {first.features.shape[0]} != {other.features.shape[0]}.")
        joined = scipy.sparse.hstack([f.features for f in features])
    elif all(f.is_dense() for f in features):
        for other in features[1:]:
            if first.features.ndim != other.features.ndim:
                raise ValueError(f"Cannot combine dense features as sequence dimensions do not "
                                 f"match: {first.features.ndim} != {other.features.ndim}.")
        joined = np.concatenate([f.features for f in features], axis=-1)
    else:
        raise ValueError("Cannot combine sparse and dense features.")
    return Features(joined, first.type, first.attribute, featurizers)


_rasa_create_x = LogisticRegressionClassifier._create_X


def _create_x(self: LogisticRegressionClassifier, messages: list[Message]) -> scipy.sparse.csr_matrix:
    rows = []
    for message in messages or [None]:
        if message is None:
            return _rasa_create_x(self, messages)
        sparse = message.get_sparse_features(attribute=TEXT)[1]
        if sparse is None or message.get_dense_features(attribute=TEXT)[1] is not None:
            return _rasa_create_x(self, messages)
        # Rasa's stacking beside an empty float matrix makes the result float64 at least.
        matrix = scipy.sparse.csr_matrix(sparse.features)
        rows.append(matrix.astype(np.result_type(matrix.dtype, np.float64), copy=False))
    return rows[0] if len(rows) == 1 else scipy.sparse.vstack(rows)


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    Message._combine_features = staticmethod(_combine_features)
    LogisticRegressionClassifier._create_X = _create_x


__all__ = ["apply", "ValidationError"]
