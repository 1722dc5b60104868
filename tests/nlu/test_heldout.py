"""The held-out NLU set stays a fair test: unseen in training, and enough of every intent."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def examples(path: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for block in yaml.safe_load(path.read_text())["nlu"]:
        if "intent" in block:
            found.setdefault(block["intent"], set()).update(
                ANNOTATION.sub(r"\1", line.strip()[2:]).lower().strip() for line in block["examples"].splitlines())
    return found


def test_no_held_out_phrase_is_a_training_example():
    training = set().union(*(s for f in (ROOT / "data" / "nlu").glob("*.yml") for s in examples(f).values()))
    seen = {text for texts in examples(ROOT / "tests" / "nlu" / "heldout.yml").values() for text in texts} & training
    assert not seen, sorted(seen)


def test_every_intent_the_residents_use_has_at_least_15_held_out_examples():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    held_out = examples(ROOT / "tests" / "nlu" / "heldout.yml")
    assert {intent: len(held_out.get(intent, ())) for intent in domain["intents"]
            if len(held_out.get(intent, ())) < 15} == {}
