"""The action-result check keeps Rasa's meaning: valid answers pass, invalid ones fail the same way."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.channels  # noqa: F401 - applies the fix, as Rasa's loading of credentials.yml does
from bot import rasa_speedups


def action() -> RemoteAction:
    return RemoteAction("action_triage", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_the_fix_is_applied_when_rasa_loads_our_channels():
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result


def test_a_valid_answer_passes():
    result = {"events": [{"event": "slot", "name": "urgency", "value": "urgent", "timestamp": None}],
              "responses": [{"text": "You should get help today."}]}
    assert action()._validate_action_result(result) is True


@pytest.mark.parametrize("result", [
    {"events": [{"event": "slot", "value": "urgent"}]},  # a slot event without a name
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
])
def test_an_invalid_answer_fails_as_in_rasa(result):
    with pytest.raises(ValidationError) as ours:
        action()._validate_action_result(result)
    assert "Failed to validate Action server response from API" in ours.value.message


# --- the compiled schema passes exactly what jsonschema (Rasa's check) passes ------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from jsonschema import validators as js_validators  # noqa: E402

EVENT_NAMES = ["user", "bot", "slot", "action", "reset_slots", "followup", "form", "active_loop", "restart",
               "session_started", "action_execution_rejected", "loop_interrupted", "undo", "rewind",
               "pause", "resume", "export", "entities", "no_such_event"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16),
                    st.text(max_size=4))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                            st.dictionaries(st.text(max_size=3), inner, max_size=3)),
                           max_leaves=6)
event_keys = st.sampled_from(["name", "value", "text", "timestamp", "metadata", "data", "parse_data", "entities",
                              "intent", "input_channel", "policy", "confidence", "action_text", "hide_rule_turn",
                              "kwargs", "date_time"])
events = st.fixed_dictionaries({"event": st.sampled_from(EVENT_NAMES)},
                               optional={"_": st.dictionaries(event_keys, json_values, max_size=4)}
                               ).map(lambda e: {"event": e["event"], **e.get("_", {})})
results = st.one_of(
    st.fixed_dictionaries({}, optional={"events": st.one_of(st.lists(events, max_size=3), json_values),
                                        "responses": st.one_of(st.lists(st.dictionaries(
                                            st.sampled_from(["text", "buttons", "image", "custom"]), json_values,
                                            max_size=2), max_size=2), json_values)}),
    json_values)


def rasa_verdict(result) -> bool:
    schema = RemoteAction.action_response_format_spec()
    return not list(js_validators.validator_for(schema)(schema).iter_errors(result))


@settings(max_examples=400, deadline=None)
@given(results)
def test_the_compiled_check_agrees_with_jsonschema(result):
    try:
        ours = action()._validate_action_result(result)
    except ValidationError:
        ours = False
    assert ours == rasa_verdict(result), result


def test_the_generated_answers_include_valid_and_invalid_ones():
    # The property above means something only if both kinds are generated.
    samples = [results.example() for _ in range(300)]
    verdicts = {rasa_verdict(r) for r in samples}
    assert verdicts == {True, False}


# --- event names resolve to Rasa's classes ------------------------------------------------------

def test_every_event_name_resolves_to_rasa_s_class():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    assert Event.__dict__["resolve_by_type"].__func__ is rasa_speedups._resolve_by_type
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) >= 15
    for name in names:
        assert Event.resolve_by_type(name) is rasa_speedups._rasa_resolve_by_type(name)


def test_unknown_event_names_behave_as_in_rasa():
    from rasa.shared.core.events import Event, SlotSet

    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None


def test_an_event_class_defined_later_is_found():
    from rasa.shared.core.events import Event

    Event.resolve_by_type("slot")  # the table is built

    class LateEvent(Event):  # noqa: D401 - a test event
        type_name = "care_test_late_event"

        def __eq__(self, other):
            return isinstance(other, LateEvent)

        def __hash__(self):
            return 1

        def as_story_string(self):
            return None

    assert Event.resolve_by_type("care_test_late_event") is LateEvent


VALID_ANSWERS = [
    {"events": [{"event": "slot", "name": "urgency", "value": "urgent", "timestamp": None},
                {"event": "slot", "name": "search_found", "value": 2.0, "timestamp": 1763900000.5}],
     "responses": [{"text": "A pharmacy can help.", "buttons": [{"title": "Yes", "payload": "/affirm"}]}]},
    {"events": [{"event": "active_loop", "name": "place_form"}, {"event": "followup", "name": "action_triage"},
                {"event": "bot", "text": "Hello", "data": {"buttons": None}, "metadata": {}},
                {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0},
                                                               "entities": [], "text": "hi"}},
                {"event": "reset_slots"}, {"event": "restart"}, {"event": "session_started"}],
     "responses": []},
    {"events": [], "responses": [{"text": "x"}]},
]


@pytest.mark.parametrize("result", VALID_ANSWERS)
def test_real_answers_pass_the_compiled_check_itself(result):
    assert rasa_verdict(result)
    action()._validate_action_result(result)  # builds the checks
    rasa_speedups._fast_check(result)  # no fall-back to jsonschema needed: the fast path passes it


# --- features joined in one go, as Rasa joins them two at a time --------------------------------

def _features(kind: str, seed: int, width: int, rows: int = 1, dtype=None):
    import numpy as np
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    rng = np.random.default_rng(seed)
    if kind == "sparse":
        matrix = scipy.sparse.random(rows, width, density=0.3, format="coo", random_state=seed,
                                     dtype=dtype or np.float64)
    else:
        matrix = rng.random((rows, width)).astype(dtype or np.float64)
    return Features(matrix, "sentence", "text", f"featurizer{seed}")


@pytest.mark.parametrize("kind, rows", [("sparse", 1), ("sparse", 7), ("dense", 1), ("dense", 5)])
@pytest.mark.parametrize("count", [1, 2, 4])
def test_features_are_joined_exactly_as_rasa_joins_them(kind, rows, count):
    import numpy as np

    features = [_features(kind, seed, width=3 + seed, rows=rows,
                          dtype=np.int64 if seed % 2 and kind == "sparse" else None) for seed in range(count)]
    names = [f.origin for f in features]
    ours = rasa_speedups._combine_features(features, names)
    rasa = rasa_speedups._rasa_combine_features(features, names)
    a, b = ours.features, rasa.features
    if kind == "sparse":
        a, b = a.toarray(), b.toarray()
    assert a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
    assert (ours.type, ours.attribute, ours.origin) == (rasa.type, rasa.attribute, rasa.origin)


def test_mismatched_features_fail_as_in_rasa():
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        rasa_speedups._combine_features([_features("sparse", 0, 3, rows=2), _features("sparse", 1, 3, rows=3)],
                                        ["a", "b"])
    with pytest.raises(ValueError, match="Cannot combine sparse and dense"):
        rasa_speedups._combine_features([_features("sparse", 0, 3), _features("dense", 1, 3)], ["a", "b"])


def test_the_intent_classifier_gets_the_matrix_rasa_would_build():
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.training_data.message import Message

    messages = []
    for seed in range(3):
        message = Message(data={"text": f"message {seed}"})
        for f in (_features("sparse", seed, 6), _features("sparse", seed + 10, 4, dtype=np.int64)):
            message.add_features(f)
        messages.append(message)
    for batch in (messages[:1], messages):
        ours = rasa_speedups._create_x(None, batch)
        rasa = rasa_speedups._rasa_create_x(None, batch)
        assert ours.shape == rasa.shape and ours.dtype == rasa.dtype
        assert np.array_equal(ours.toarray(), rasa.toarray())
    assert LogisticRegressionClassifier._create_X is rasa_speedups._create_x
