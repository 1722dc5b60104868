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
