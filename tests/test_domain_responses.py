"""Domain responses survive Rasa's slot interpolation: button payloads arrive as valid intents.

Rasa fills "{slot}" placeholders in every response; any other single-brace text (a payload's
entity JSON) makes it log an error on every use, so payloads double their braces.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from rasa.core.nlg.interpolator import interpolate

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
PLACEHOLDER = re.compile(r"(?<!{){([^\n{}]+?)}(?!})")  # what Rasa's interpolator would try to fill


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def test_every_placeholder_in_a_response_is_a_slot():
    wrong = [(text, name) for text in strings(DOMAIN["responses"]) for name in PLACEHOLDER.findall(text)
             if name not in DOMAIN["slots"]]
    assert not wrong


def test_button_payloads_come_out_of_interpolation_as_intent_and_json():
    payloads = [b["payload"] for variants in DOMAIN["responses"].values() for v in variants
                for b in v.get("buttons", []) if b["payload"].startswith("/")]
    assert payloads
    for payload in payloads:
        out = interpolate(payload, {"place": "Crewe"})
        intent, brace, entities = out.partition("{")
        assert intent[1:] in DOMAIN["intents"], out
        if brace:
            assert isinstance(json.loads(brace + entities), dict), out
