"""Find the knowledge base's phrases in a message fast: a table of every word sequence.

The phrase notation (knowledge.schema.json): words, '|' between alternatives for one word, and
'...' for up to 3 other words. spaCy's Matcher took over 100 ms a message on the full lexicon,
most of it exploring the optional gaps; here each stretch of words between gaps is expanded into
its concrete word sequences once, at start, and looked up in a dict for every start position of
the message; stretches then join across gaps of at most 3 words that cross no punctuation.
"""
from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

GAP = "..."
MAX_GAP = 3
MAX_EXPANSIONS = 5000  # alternatives in one stretch multiply; a phrase past this is a mistake


@dataclass(frozen=True)
class Match:
    label: str
    start: int  # token offsets, end exclusive
    end: int


class PhraseIndex:
    def __init__(self) -> None:
        self._stretches: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)  # words → (phrase, part)
        self._phrases: list[tuple[str, int]] = []  # (label, number of parts)
        self._lengths: dict[str, set[int]] = defaultdict(set)  # first word → lengths of stretches it starts

    def add(self, label: str, phrase: str) -> None:
        parts = [p.split() for p in phrase.replace(GAP, f" {GAP} ").split(GAP)]
        parts = [p for p in parts if p]
        number = len(self._phrases)
        self._phrases.append((label, len(parts)))
        for index, words in enumerate(parts):
            choices = [w.split("|") for w in words]
            count = 1
            for c in choices:
                count *= len(c)
            if count > MAX_EXPANSIONS:
                raise ValueError(f"phrase {phrase!r} has {count} word sequences (at most {MAX_EXPANSIONS})")
            for sequence in itertools.product(*choices):
                self._stretches[sequence].append((number, index))
                self._lengths[sequence[0]].add(len(sequence))

    def find(self, words: list[str], breaks: set[int]) -> list[Match]:
        """Every phrase found; `breaks` are the positions of punctuation a gap may not cross."""
        found: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (phrase, part) → spans
        n = len(words)
        for start, first in enumerate(words):
            for length in self._lengths.get(first, ()):
                if start + length <= n:
                    for key in self._stretches.get(tuple(words[start:start + length]), ()):
                        found[key].append((start, start + length))
        matches = []
        for (number, index), spans in found.items():
            if index:
                continue
            label, parts = self._phrases[number]
            for start, end in spans:
                for final in self._extend(number, 1, parts, end, found, breaks):
                    matches.append(Match(label, start, final))
        return matches

    def _extend(self, number: int, index: int, parts: int, end: int, found, breaks: set[int]):
        if index == parts:
            yield end
            return
        for start, next_end in found.get((number, index), ()):
            gap = start - end
            if 0 <= gap <= MAX_GAP and not any(p in breaks for p in range(end, start)):
                yield from self._extend(number, index + 1, parts, next_end, found, breaks)
