"""The failure-path emergency answer needs no Rasa and never raises."""
from __future__ import annotations

from bot.triage.offline import emergency_first


def test_red_flags_get_the_999_message():
    for text in ("my dad has crushing chest pain", "shes having a fit and wont wake up"):
        [message] = emergency_first(text)
        assert message["text"].startswith("Call 999 now") and message["buttons"][0]["payload"] == "tel:999"


def test_anything_else_gets_nothing():
    for text in ("I have a sore throat", "", None, 42, "\udcff"):
        assert emergency_first(text) == []
