"""Find red flags in a resident's message, and who the message is about.

A blank English spaCy pipeline (no statistical model: none can be downloaded here, and rules
are auditable) with a Matcher over token NORM. Before matching, words that are close misspellings
of a word the patterns use are normalised ("unconsious" → "unconscious") with rapidfuzz; real
English words (pyspellchecker's dictionary, shipped in the package) are never changed, so
"checking" does not become "choking".
A red flag preceded by a negation in the same clause ("no chest pain") does not count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from rapidfuzz import fuzz, process
from spellchecker import SpellChecker
from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.triage.conditions import CONDITIONS, MODIFIERS
from bot.triage.red_flags import (BLANCHES, CO_OCCURRING, DIAGNOSIS_WORDS, HAPPENING_NOW, PAST_OR_ADMIN,
                                   RED_FLAGS, SWALLOW_THINGS, SWALLOW_VERBS, WORDS)

NEGATIONS = {"no", "not", "without", "never", "denies", "nor", "none", "neither"}
CLAUSE_BREAKS = {".", ",", ";", "!", "?", "but", "and", "though", "although", "however", "now", "then", "-", "so"}
NEGATION_WINDOW = 4  # tokens before a flag that a negation may stand in
SPELLING_CUTOFF = 86  # rapidfuzz ratio for a misspelling to count as the word
MIN_SPELLING_LENGTH = 5

# Words that change a red flag's meaning when they stand right beside it ("blocked nose, can't
# breathe through it" is a cold, not a breathing emergency).
CANCELLED_NEAR: dict[str, set[str]] = {
    "breathing": {"nose", "nostril", "nostrils", "nasal"},
    "anaphylaxis": {"glands", "gland", "nodes"},  # swollen glands with a sore throat
    "serious_injury": {"tooth", "teeth"},  # "knocked out his front tooth" is dental (urgent)
}
# Signs that are red flags in babies and children (section 2) but not in adults ("I can't stop
# crying, everything is falling apart" is distress, answered by the mental health rules).
CHILD_ONLY_WORDS = {"crying", "cry", "feeding", "feed", "feeds", "bottle", "sleepy", "drowsy"}
FINE_WORDS = {"fine", "ok", "okay", "normally", "normal"}
CANCEL_WINDOW = 4
# A swollen face with toothache is a dental problem (urgent), not anaphylaxis, unless the lips,
# tongue or throat are named; dental swelling that affects breathing, swallowing or an eye is a
# red flag of its own (dental_emergency).
DENTAL_WORDS = {"tooth", "teeth", "toothache", "dental", "gum", "gums", "abscess", "dentist", "wisdom", "filling"}
AIRWAY_WORDS = {"lips", "lip", "tongue", "throat", "mouth", "breathe", "breathing", "breath"}

BABY_WORDS = {"baby", "babies", "newborn", "infant", "bubba", "babys", "babby", "babyy", "bby", "babie"}
CHILD_WORDS = {"child", "kid", "kids", "son", "daughter", "boy", "girl", "toddler", "children", "lad", "lass",
               "grandson", "granddaughter"}
THIRD_PERSON = BABY_WORDS | CHILD_WORDS | {
    "he", "she", "him", "her", "his", "husband", "wife", "partner", "mum", "dad", "mother", "father", "nan",
    "gran", "grandma", "grandad", "grandpa", "granny", "brother", "sister", "friend", "neighbour", "mom",
    "hubby", "boyfriend", "girlfriend", "they", "them"}
MALE_WORDS = {"he", "him", "his", "son", "boy", "husband", "dad", "father", "grandad", "grandpa", "brother",
              "man", "male", "boyfriend", "hubby", "grandson", "lad"}
FEMALE_WORDS = {"she", "her", "daughter", "girl", "wife", "mum", "mother", "nan", "gran", "grandma", "granny",
                "sister", "woman", "female", "girlfriend", "mom", "granddaughter", "lass", "pregnant"}
# "took 30 co-codamol": a count of ten or more tablets taken; not "took 10 minutes" or "20mg".
OVERDOSE_RE = re.compile(
    r"\b(?:took|taken|swallowed|necked|downed|had|eaten|ate)\s+(?:about\s+|like\s+|over\s+)?([1-9]\d{1,2})\b"
    r"(?!\s*(?:-|\s)?\s*(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?|seconds?|secs?|"
    r"mg|ml|mcg|g|%|times|x|am|pm|quid|pounds|steps|miles|goes))", re.I)
MONTHS_RE = re.compile(r"\b(?:is|s|aged?|only|just)\s+(\d{1,2})\s*(months?|mths?|mnths?|weeks?|wks?|days?)\b", re.I)
AGE_RE = re.compile(
    r"\b(\d{1,3})\s*-?\s*(?:(years?|yrs?|yr|months?|mths?|mnths?|mos?|weeks?|wks?|days?)\s*-?\s*old|(yo|y/o|yrs?o))\b"
    r"|\baged?\s+(\d{1,3})\b|\b(?:i'?m|i am|im|is|turned|s)\s+(\d{1,2})(?!\s*(?:days?|weeks?|wks?|months?|mths?|mnths?|hours?|hrs?|mins?|%|am|pm|:|\.\d))\b",
    re.I)


@dataclass(frozen=True)
class RedFlag:
    flag: str
    text: str
    start: int  # character offsets in the message
    end: int


@dataclass(frozen=True)
class Subject:
    """Who the message is about, as far as the words say."""
    who: str = "unknown"  # self, someone_else, unknown
    age_group: str = "unknown"  # baby (under 1), child (1-17), adult, unknown
    age: int | None = None  # years; 0 for babies
    sex: str | None = None  # female, male


@dataclass(frozen=True)
class Findings:
    red_flags: tuple[RedFlag, ...] = ()
    negated: tuple[RedFlag, ...] = ()
    subject: Subject = field(default_factory=Subject)
    conditions: tuple[str, ...] = ()  # non-emergency problems, in the order they appear
    modifiers: frozenset[str] = frozenset()  # pregnant, diabetes, recurrent, out_of_hours, ...

    @property
    def emergency(self) -> bool:
        return bool(self.red_flags)

    @property
    def flag(self) -> str | None:
        return self.red_flags[0].flag if self.red_flags else None


def _expand(pattern: str) -> list[dict]:
    tokens: list[dict] = []
    for part in pattern.split():
        optional = part.startswith("?") and len(part) > 1
        part = part[1:] if optional else part
        if part == "*":
            tokens.append({"OP": "?"})
            continue
        words = WORDS[part[1:]] if part.startswith("@") else part.split("|")
        spec: dict = {"NORM": {"IN": [w.lower() for w in words]}}
        if optional:
            spec["OP"] = "?"
        tokens.append(spec)
    return tokens


class KeyedMatcher:
    """A spaCy Matcher split by key, each run only when the message has every word it needs.

    spaCy tests each distinct "IN" word set in Python, token by token: with the hundreds of
    red-flag patterns one whole Matcher took about 1.5 ms a message. A key none of whose
    patterns can have all its required (non-optional) words in the message cannot match, so
    its Matcher is skipped; an index from word to pattern finds the keys that can. The matches
    are the same as one Matcher's, in its order: by start, end, then the table's order of keys.
    """

    def __init__(self, vocab, table: dict[str, list[str]]) -> None:
        self.matchers: list[Matcher] = []
        self.words: set[str] = set()
        self.always: set[int] = set()          # keys with a pattern of optional tokens only
        self.slots: dict[tuple[int, int], int] = {}   # (key, pattern) -> required tokens
        self.index: dict[str, list[tuple[int, int, int]]] = {}  # word -> (key, pattern, token)
        self.order = {vocab.strings.add(name): key for key, name in enumerate(table)}
        for key, (name, patterns) in enumerate(table.items()):
            compiled = [_expand(p) for p in patterns]
            matcher = Matcher(vocab)
            matcher.add(name, compiled)
            self.matchers.append(matcher)
            for number, tokens in enumerate(compiled):
                required = [spec["NORM"]["IN"] for spec in tokens if "NORM" in spec and "OP" not in spec]
                if not required:
                    self.always.add(key)
                self.slots[key, number] = len(required)
                for slot, words in enumerate(required):
                    for word in set(words):
                        self.index.setdefault(word, []).append((key, number, slot))
                for spec in tokens:
                    self.words.update(spec.get("NORM", {}).get("IN", []))

    def candidates(self, doc: Doc) -> set[int]:
        """The keys that can match: every required token of one of their patterns has its word."""
        satisfied: dict[tuple[int, int], set[int]] = {}
        for norm in {t.norm_ for t in doc}:
            for key, number, slot in self.index.get(norm, ()):
                satisfied.setdefault((key, number), set()).add(slot)
        return self.always | {key for (key, number), slots in satisfied.items()
                              if len(slots) == self.slots[key, number]}

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        found: list[tuple[int, int, int]] = []
        for key in self.candidates(doc):
            found.extend(self.matchers[key](doc))
        return sorted(found, key=lambda m: (m[1], m[2], self.order[m[0]]))

    def __len__(self) -> int:
        return len(self.matchers)


class Detector:
    """Built once per process: the spaCy pipeline, the matchers and the spelling vocabulary."""

    def __init__(self) -> None:
        self.nlp = spacy.blank("en")
        self.matcher = KeyedMatcher(self.nlp.vocab, RED_FLAGS)
        self.conditions = KeyedMatcher(self.nlp.vocab, CONDITIONS)
        self.modifiers = KeyedMatcher(self.nlp.vocab, MODIFIERS)
        vocabulary = self.matcher.words | self.conditions.words | self.modifiers.words
        self.vocabulary = sorted(w for w in vocabulary if len(w) >= MIN_SPELLING_LENGTH and w.isalpha())
        self.known = frozenset(self.vocabulary)  # membership in a set, not the sorted list
        self.english = SpellChecker(language="en")

    def _normalise_spelling(self, doc: Doc) -> None:
        for token in doc:
            word = token.norm_
            if len(word) < MIN_SPELLING_LENGTH or not word.isalpha() or word in self.known \
                    or word in self.english:
                continue
            hit = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF)
            if hit and hit[0][0] == word[0]:
                token.norm_ = hit[0]

    @staticmethod
    def _negated(doc: Doc, start: int) -> bool:
        for i in range(start - 1, max(-1, start - 1 - NEGATION_WINDOW), -1):
            norm = doc[i].norm_
            if norm in CLAUSE_BREAKS:
                return False
            if norm in NEGATIONS:
                return True
        return False

    @staticmethod
    def _cancelled(doc: Doc, flag: str, start: int, end: int, subject: Subject) -> bool:
        near = {t.norm_ for t in doc[max(0, start - CANCEL_WINDOW):end + CANCEL_WINDOW]}
        if CANCELLED_NEAR.get(flag, set()) & near:
            return True
        words = {t.norm_ for t in doc}
        if flag == "child_signs" and {t.norm_ for t in doc[start:end]} & CHILD_ONLY_WORDS:
            # Only when the message is clearly about an adult; an unknown subject keeps the flag.
            if subject.age_group == "adult" or (subject.who == "self" and subject.age_group == "unknown"):
                return True
        if flag == "anaphylaxis" and words & DENTAL_WORDS and not ({t.norm_ for t in doc[start:end]} & AIRWAY_WORDS):
            return True
        if doc[start:end].text.lower() in DIAGNOSIS_WORDS:
            return bool(words & PAST_OR_ADMIN) and not (words & HAPPENING_NOW)
        return False

    @staticmethod
    def _co_occurring(doc: Doc, subject: "Subject") -> list[RedFlag]:
        words = {t.norm_ for t in doc}
        flags = [RedFlag(flag, "", 0, 0) for flag, rules in CO_OCCURRING.items()
                 if any(all(words & group for group in rule) for rule in rules)
                 and not (flag == "sepsis" and words & BLANCHES and "not" not in words)
                 and not (flag == "dental_emergency" and words & FINE_WORDS)]
        if OVERDOSE_RE.search(doc.text):
            flags.append(RedFlag("suicide_or_overdose", "", 0, 0))
        if subject.age_group in ("baby", "child") and words & SWALLOW_VERBS and words & SWALLOW_THINGS:
            flags.append(RedFlag("swallowed_object_or_poison", "", 0, 0))
        return flags

    def find(self, text: str) -> Findings:
        doc = self.nlp(text[:2000])
        self._normalise_spelling(doc)
        subject = subject_of(doc, text)
        found: dict[str, RedFlag] = {}
        negated: list[RedFlag] = []
        # Longest matches first, so "no chest pain" is judged on the whole phrase.
        matches = sorted(self.matcher(doc), key=lambda m: (m[1], -(m[2] - m[1])))
        for match_id, start, end in matches:
            flag = self.nlp.vocab.strings[match_id]
            span = doc[start:end]
            hit = RedFlag(flag, span.text, span.start_char, span.end_char)
            if self._negated(doc, start) or self._cancelled(doc, flag, start, end, subject):
                negated.append(hit)
            elif flag not in found:
                found[flag] = hit
        for extra in self._co_occurring(doc, subject):
            found.setdefault(extra.flag, RedFlag(extra.flag, text[:0], 0, len(text)))
        flags = tuple(sorted(found.values(), key=lambda f: f.start))
        conditions: dict[str, int] = {}
        taken: list[tuple[int, int, str]] = []
        # Longest match wins where two conditions claim the same words ("nappy rash" is not "rash").
        for match_id, start, end in sorted(self.conditions(doc), key=lambda m: -(m[2] - m[1])):
            name = self.nlp.vocab.strings[match_id]
            if self._negated(doc, start) or any(s < end and start < e and n != name for s, e, n in taken):
                continue
            taken.append((start, end, name))
            conditions[name] = min(start, conditions.get(name, start))
        conditions = dict(sorted(conditions.items(), key=lambda kv: kv[1]))
        modifiers = frozenset(self.nlp.vocab.strings[m] for m, start, _ in self.modifiers(doc)
                              if not self._negated(doc, start))
        return Findings(flags, tuple(negated), subject, tuple(conditions), modifiers)


def subject_of(doc: Doc, text: str) -> Subject:
    words = {t.norm_ for t in doc}
    age: int | None = None
    age_group = "unknown"
    months = MONTHS_RE.search(text)
    match = None if months else AGE_RE.search(text)
    if months:
        number, unit = int(months.group(1)), months.group(2).lower()
        age = number // 12 if unit.startswith("m") else 0
    if match:
        number = int(next(g for g in (match.group(1), match.group(4), match.group(5)) if g))
        unit = (match.group(2) or "years").lower()
        if unit.startswith(("m", "w", "d")):
            age = number // 12 if unit.startswith("m") else 0
        elif number <= 120:
            age = number
    if age is not None:
        age_group = "baby" if age < 1 else "child" if age < 18 else "adult"
    elif words & BABY_WORDS:
        age_group, age = "baby", 0
    elif words & CHILD_WORDS:
        age_group = "child"
    third = bool(words & THIRD_PERSON) or (age_group in ("baby", "child") and "my" in words)
    first = bool(words & {"i", "me", "my", "myself", "am"})
    who = "someone_else" if third else "self" if first else "unknown"
    sex = None
    if words & {"female", "woman", "pregnant", "girl", "lady"} and (who != "someone_else" or words & FEMALE_WORDS):
        sex = "female"
    elif words & {"male", "man", "guy", "bloke"} and who != "someone_else":
        sex = "male"
    elif who == "someone_else":
        female, male = bool(words & FEMALE_WORDS), bool(words & MALE_WORDS)
        sex = "female" if female and not male else "male" if male and not female else None
    return Subject(who, age_group, age, sex)


@lru_cache(maxsize=1)
def detector() -> Detector:
    return Detector()


def find(text: str) -> Findings:
    """Red flags and subject for one message."""
    return detector().find(text)
