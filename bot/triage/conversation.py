"""Triage over a conversation: the resident's problem, then their answers to at most two questions.

An answer is a button ("none of these", "not sure", or one of the signs listed) or free text.
Free text is read for findings like any message ("no, he's breathing fine but he's been sick"),
and a bare "no", "none", "not sure" or "yes" applies to the signs the question listed: "yes" to a
list of warning signs counts as the most urgent of them being there, as 111 does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.triage.engine import Ask, Assessment, Engine, Facts, engine as default_engine
from bot.triage.reader import read

NONE = "none"
NOT_SURE = "not_sure"
YES = "yes"
NONE_WORDS = re.compile(r"^\W*(no+|nope|nah|none|neither|nothing|not really|no none|none of (them|those|these|that)|"
                        r"no to all|nothing like that|no nothing|not that i know|nope none)\b", re.I)
NOT_SURE_WORDS = re.compile(r"\b(not sure|unsure|dunno|dont know|don't know|do not know|no idea|cant tell|can't tell|"
                            r"not certain|maybe|possibly|might be|hard to (say|tell))\b", re.I)
YES_WORDS = re.compile(r"^\W*(yes|yeah|yep|yh|ye|y|aye|some|one of them|a few)\b", re.I)


@dataclass(frozen=True)
class Answer:
    """One reply to a question: the question, and a button's choice or the resident's words."""
    ask: Ask
    choice: str | None = None  # none, not_sure, or a finding id from ask.options
    text: str = ""


def answer_kind(text: str) -> str | None:
    """What a free-text reply says about the listed signs as a whole, if anything."""
    if NOT_SURE_WORDS.search(text):
        return NOT_SURE
    if NONE_WORDS.search(text):
        return NONE
    if YES_WORDS.search(text):
        return YES
    return None


def facts_for(problem: str, answers: tuple[Answer, ...] = ()) -> Facts:
    """Everything known after the problem and the answers so far."""
    reading = read(problem)
    present, absent, unsure = set(reading.present), set(reading.absent), set()
    facts = Facts.from_reading(reading)
    for answer in answers:
        options = set(answer.ask.options)
        said = read(answer.text) if answer.text else None
        if said:
            present |= said.present
            absent |= said.absent - said.present
            facts = replace(facts, temperature=facts.temperature or said.temperature,
                            duration_hours=facts.duration_hours or said.duration_hours)
        kind = answer.choice if answer.choice in (NONE, NOT_SURE) else (
            None if answer.choice else answer_kind(answer.text))
        if answer.choice in options:
            present.add(answer.choice)
        elif kind == NONE:
            absent |= options - present
        elif kind == NOT_SURE:
            unsure |= options - present - absent
        elif kind == YES and not (said and said.present):
            # A bare "yes" to a list of warning signs counts as all of them; a "yes" that names what
            # it is ("yes, she has a temperature") counts as what it names.
            present |= options
    return replace(facts, present=frozenset(present), absent=frozenset(absent - present),
                   unsure=frozenset(unsure))


def assess(problem: str, answers: tuple[Answer, ...] = (), eng: Engine | None = None) -> Assessment:
    return (eng or default_engine()).assess(facts_for(problem, answers), questions_asked=len(answers))
