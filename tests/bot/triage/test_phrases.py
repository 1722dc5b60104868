"""The phrase table: alternatives, gaps of up to 3 words, and no gap across punctuation."""
from __future__ import annotations

import pytest

from bot.triage.phrases import PhraseIndex


def found(phrase: str, text: str) -> list[tuple[int, int]]:
    index = PhraseIndex()
    index.add("sign", phrase)
    words = text.split()
    breaks = {i for i, w in enumerate(words) if not w.isalnum()}
    return [(m.start, m.end) for m in index.find(words, breaks)]


@pytest.mark.parametrize("phrase, text, spans", [
    ("chest pain", "i have chest pain", [(2, 4)]),
    ("chest pain|ache", "bad chest ache now", [(1, 3)]),
    ("chest ... tight", "my chest feels really tight", [(1, 5)]),
    ("chest ... tight", "my chest is tight", [(1, 4)]),
    ("chest ... tight", "chest tight", [(0, 2)]),
    ("chest ... tight", "chest is not at all tight", []),
    ("chest ... tight", "chest hurts . tight shoes", []),
    ("cant ... wake ... him", "we cant seem to wake him up", [(1, 6)]),
])
def test_phrases(phrase, text, spans):
    assert found(phrase, text) == spans


def test_a_phrase_with_too_many_alternatives_is_refused():
    with pytest.raises(ValueError):
        PhraseIndex().add("sign", " ".join(["a|b|c|d|e|f|g|h|i|j"] * 4))
