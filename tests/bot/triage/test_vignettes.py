"""The blind evaluation vignettes (tests/data/vignettes): well formed, enough of each kind, and two
halves with no near-duplicate between them. Failures name vignettes by id only: the held-out
half is never shown to whoever writes triage rules."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml
from rapidfuzz import fuzz, process

VIGNETTES = Path(__file__).resolve().parents[2] / "data" / "vignettes"
SCHEMA = json.loads((VIGNETTES / "vignette.schema.json").read_text())
HALVES = ("development", "heldout")
NEAR_DUPLICATE = 85  # rapidfuzz token_sort_ratio (0-100) at or above which two messages are one


def load(half: str) -> list[dict]:
    items: list[dict] = []
    for path in sorted((VIGNETTES / half).glob("*.yml")):
        items += yaml.safe_load(path.read_text(encoding="utf-8"))
    return items


@pytest.fixture(scope="module")
def halves() -> dict[str, list[dict]]:
    return {half: load(half) for half in HALVES}


@pytest.mark.parametrize("half", HALVES)
def test_each_half_follows_the_schema(halves, half):
    errors = [f"{error.path[0] if error.path else '?'}: {error.validator}"
              for error in jsonschema.Draft7Validator(SCHEMA).iter_errors(halves[half])]
    assert not errors, errors[:20]
    emergencies_without_999 = [i["id"] for i in halves[half] if i["urgency"] == "emergency"
                               and not {"call_999", "a_and_e"} & set(i["services"])]
    assert not emergencies_without_999


def test_ids_are_unique_across_both_halves(halves):
    ids = Counter(i["id"] for half in HALVES for i in halves[half])
    assert not [k for k, n in ids.items() if n > 1]


def test_the_sets_are_as_large_as_issue_13_asks(halves):
    both = halves["development"] + halves["heldout"]
    assert len(both) >= 600 and len(halves["heldout"]) >= 300
    kinds = Counter(i["kind"] for i in both)
    assert kinds["alarming_not_emergency"] >= 100 and kinds["negated_red_flag"] >= 50
    per_complaint = Counter(i["complaint"] for i in both if i["kind"] == "presentation")
    assert len(per_complaint) >= 60 and min(per_complaint.values()) >= 8, per_complaint.most_common()[-5:]


def test_no_near_duplicate_between_the_halves(halves):
    dev = [i["text"].lower() for i in halves["development"]]
    held = [i["text"].lower() for i in halves["heldout"]]
    scores = process.cdist(held, dev, scorer=fuzz.token_sort_ratio, score_cutoff=NEAR_DUPLICATE)
    pairs = [(halves["heldout"][h]["id"], halves["development"][d]["id"])
             for h, d in zip(*scores.nonzero())]
    assert not pairs, f"near-duplicates (held-out id, development id): {pairs}"
