"""The emergency answer when the assistant itself cannot answer (Rasa or its stores down).

The channels call this on their failure paths, so that a red flag still gets "Call 999 now"
first, from the same spaCy rules as the NLU component, with no Rasa server, tracker store or
lock store involved (hazard log H-04).
"""
from __future__ import annotations

from bot.triage.detector import find

EMERGENCY_TEXT = "Call 999 now and ask for an ambulance. This could be a medical emergency."
CALL_999 = {"title": "Call 999", "payload": "tel:999"}


def emergency_first(text: object) -> list[dict]:
    """[the 999 message] for a message with a red flag, else []. Never raises."""
    try:
        if isinstance(text, str) and text.strip() and find(text).emergency:
            return [{"text": EMERGENCY_TEXT, "buttons": [dict(CALL_999)]}]
    except Exception:  # noqa: BLE001 - a failure path must not fail
        pass
    return []
