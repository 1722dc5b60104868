"""The emergency answer when the assistant itself cannot answer (Rasa or its stores down).

The channels call this on their failure paths, so that a red flag still gets "Call 999 now"
first, from the same spaCy rules as the NLU component, with no Rasa server, tracker store or
lock store involved (hazard log H-19). The words and button are the domain's own general
`utter_emergency` answer (the variant with no condition), read from domain.yml at import, so
that a missing answer fails at start-up rather than on the failure path.
"""
from __future__ import annotations

import yaml

from bot.paths import ROOT
from bot.triage.detector import find


def _general_emergency_answer() -> dict:
    """utter_emergency's unconditioned variant: {"text": "Call 999 now …", "buttons": [tel:999]}."""
    variants = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]["utter_emergency"]
    general = next(v for v in variants if not v.get("condition"))
    return {"text": general["text"].strip(), "buttons": [dict(b) for b in general.get("buttons", [])]}


EMERGENCY_ANSWER = _general_emergency_answer()
# How every utter_emergency variant begins: a channel seeing it knows 999 was already said.
EMERGENCY_OPENING = "Call 999 now"


def emergency_first(text: object) -> list[dict]:
    """[the 999 message] for a message with a red flag, else []. Never raises."""
    try:
        if isinstance(text, str) and text.strip() and find(text).emergency:
            return [{"text": EMERGENCY_ANSWER["text"], "buttons": [dict(b) for b in EMERGENCY_ANSWER["buttons"]]}]
    except Exception:  # noqa: BLE001 - a failure path must not fail
        pass
    return []
