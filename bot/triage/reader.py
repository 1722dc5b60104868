"""The findings reader: a resident's words → findings in context, and who they are about.

- Findings are the knowledge base's lay phrasings (bot/triage/knowledge/findings/*.yml) found by a
  word-sequence table (bot/triage/phrases.py) on a blank English spaCy pipeline's tokens. Misspelt words of 4 letters or more are first
  corrected to the nearest lexicon word (rapidfuzz, a swap of two letters counting as one edit), unless they are real English words
  (pyspellchecker's word list), so that "checking" never becomes "choking".
- Context comes from medspaCy's ConText, with this project's rules (knowledge/context.yml): a
  finding is present, or denied ("no fever", "breathing is fine"), past, asked about, over, or
  about something else; a finding inside a turn of phrase ("this exam is killing me") is dropped.
- Numbers and the subject are read by small patterns here: temperature (C, or F converted), age
  (as a range: "baby" is under 1, "my 6 week old" is 6 weeks), sex, pregnancy weeks, duration.

Nothing here decides an urgency: that is bot/triage/engine.py's job, from the tables.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from medspacy.context import ConText, ConTextRule
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from spacy.tokens import Doc, Span
from spellchecker import SpellChecker

from bot.triage.knowledge import Knowledge, knowledge
from bot.triage.phrases import PhraseIndex

TOKEN = re.compile(r"\d+(?:st|nd|rd|th)\b|\d+(?:\.\d+)?|[a-z]+|[^\sa-z0-9]")  # "3rd" stays one word
SENTENCE_ENDS = {".", "!", "?", ";"}
MIN_SPELLING_LENGTH = 4
GROUP = "findings"
# ConText categories → the span attribute each sets (knowledge/context.yml).
ATTRIBUTES = {"NEGATED": "is_negated", "HISTORICAL": "is_historical", "HYPOTHETICAL": "is_hypothetical",
              "RESOLVED": "is_resolved", "OTHER": "is_other"}
for _attr in ATTRIBUTES.values():
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, default=False)
NOT_NOW = ("historical", "hypothetical", "other")

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "couple": 2, "few": 3, "several": 3}
UNIT_YEARS = {"day": 1 / 365, "days": 1 / 365, "week": 7 / 365, "weeks": 7 / 365, "wk": 7 / 365, "wks": 7 / 365,
              "month": 1 / 12, "months": 1 / 12, "mth": 1 / 12, "mths": 1 / 12, "mo": 1 / 12, "mos": 1 / 12,
              "year": 1.0, "years": 1.0, "yr": 1.0, "yrs": 1.0, "y": 1.0, "yo": 1.0}
UNIT_HOURS = {"minute": 1 / 60, "minutes": 1 / 60, "mins": 1 / 60, "min": 1 / 60, "hour": 1, "hours": 1,
              "hrs": 1, "hr": 1, "day": 24, "days": 24, "night": 24, "nights": 24, "week": 168, "weeks": 168,
              "wk": 168, "wks": 168, "month": 730, "months": 730}
TEMPERATURE_WORDS = {"temp", "temps", "temperature", "tempreture", "temprature", "temperture", "fever", "thermometer",
                     "degrees", "degree", "c", "f", "celsius", "celcius", "centigrade", "fahrenheit", "farenheit",
                     "reading", "read", "°", "hot"}
# Who the message is about: word → (sex, youngest age, oldest age) in years; None = not said.
PEOPLE: dict[str, tuple[str | None, float | None, float | None]] = {
    **{w: (None, 0.0, 0.077) for w in ("newborn", "newborns")},
    **{w: (None, 0.0, 1.0) for w in ("baby", "babies", "babys", "bubba", "infant", "bby", "babby")},
    **{w: (None, 1.0, 3.0) for w in ("toddler", "toddlers")},
    **{w: ("male", 0.0, 18.0) for w in ("son", "boy", "lad", "grandson", "nephew", "stepson")},
    **{w: ("female", 0.0, 18.0) for w in ("daughter", "girl", "granddaughter", "niece", "stepdaughter")},
    **{w: (None, 0.0, 18.0) for w in ("child", "kid", "kids", "children", "toddler", "little", "one")},
    **{w: ("male", 18.0, None) for w in ("husband", "dad", "father", "partner", "boyfriend", "brother", "uncle",
                                          "man", "bloke", "fella", "hubby", "stepdad")},
    **{w: ("female", 18.0, None) for w in ("wife", "mum", "mother", "girlfriend", "sister", "aunt", "auntie",
                                            "woman", "lady", "missus", "stepmum")},
    **{w: ("male", 55.0, None) for w in ("grandad", "granddad", "grandpa", "grandfather")},
    **{w: ("female", 55.0, None) for w in ("nan", "nana", "nanna", "gran", "granny", "grandma", "grandmother")},
}
MALE_PRONOUNS = {"he", "hes", "him", "his"}
FEMALE_PRONOUNS = {"she", "shes", "her", "hers"}


@dataclass(frozen=True)
class Mention:
    finding: str
    status: str  # present, absent, historical, hypothetical, resolved, other
    start: int  # token offsets
    end: int


@dataclass(frozen=True)
class Subject:
    """Who the message is about, as far as the words say."""
    age: tuple[float | None, float | None] = (None, None)  # youngest, oldest (years)
    sex: str | None = None
    pregnancy_weeks: float | None = None


@dataclass(frozen=True)
class Reading:
    mentions: tuple[Mention, ...]
    subject: Subject = Subject()
    temperature: float | None = None  # Celsius, the highest stated
    duration_hours: float | None = None
    present: frozenset[str] = field(default=frozenset())
    absent: frozenset[str] = field(default=frozenset())


def normalise(text: str) -> list[str]:
    """Lower-case tokens, apostrophes dropped ("can't" → "cant"), line breaks as sentence ends."""
    text = re.sub(r"[’‘`']", "", text.lower()).replace("\n", " . ")
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # "high-pitched" is "high pitched"
    text = re.sub(r"(\d)\s*(?:°|º)\s*([cf])\b", r"\1 \2", text)
    return TOKEN.findall(text)


def phrase_words(phrase: str) -> set[str]:
    return {w for part in phrase.split() if part != "..." for w in part.split("|")}


class Reader:
    """Built once per process from the knowledge base."""

    def __init__(self, kb: Knowledge):
        self.kb = kb
        self.nlp = spacy.blank("en")
        self.phrases = PhraseIndex()
        vocabulary: set[str] = set()
        for finding in kb.findings.values():
            for phrase in finding.says:
                self.phrases.add(finding.id, phrase)
                vocabulary |= phrase_words(phrase)
            for phrase in finding.not_when:
                self.phrases.add(f"NOT_WHEN {finding.id}", phrase)
        self.counts_when_over = {f.id for f in kb.findings.values() if f.counts_when_over}
        self.lasting = {f.id for f in kb.findings.values() if f.lasting}
        # A modifier word inside a finding ("rash doesnt fade", "better off without me") is part of
        # the finding, not a modifier of it.
        self.context = ConText(self.nlp, rules=None, input_span_type="group", span_group_name=GROUP,
                               span_attrs={c: {a: True} for c, a in ATTRIBUTES.items()},
                               prune_on_target_overlap=True)
        # A gap ('...') in a finding never spans a negation ("light isnt bothering him" is not
        # "light ... bothering"): negation words a finding needs are written in its phrase.
        self.negations = {p for r in kb.context if r.category == "NEGATED" for p in r.phrases if " " not in p}
        for rule in kb.context:
            for phrase in rule.phrases:
                vocabulary |= phrase_words(phrase)
                if rule.category == "FIGURATIVE":
                    self.phrases.add("FIGURATIVE", phrase)
                else:  # token patterns: ConText's own tokenizing of a literal splits "dont" into "do nt"
                    self.context.add([ConTextRule(phrase, rule.category, direction=rule.direction,
                                                  pattern=[{"LOWER": w} for w in phrase.split()],
                                                  max_scope=rule.max_scope,
                                                  allowed_types=set(rule.applies_to) or None)])
        # Spelling candidates by first letter and length: a misspelling keeps its first letter.
        self.vocabulary: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in vocabulary:
            if word.isalpha():
                self.vocabulary[(word[0], len(word))].append(word)
        self.english = SpellChecker().word_frequency.dictionary

    @lru_cache(maxsize=20_000)
    def spelling(self, word: str) -> str:
        """The lexicon word a misspelling stands for, or the word itself."""
        if len(word) < MIN_SPELLING_LENGTH or not word.isalpha() or word in self.english:
            return word
        # Edits, with a swap of two letters as one ("brething", "unconsious", "temprature").
        limit = 1 if len(word) <= 6 else 2
        candidates = [w for size in range(len(word) - limit, len(word) + limit + 1)
                      for w in self.vocabulary.get((word[0], size), ())]
        close = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=5)
        if not close:
            return word
        nearest = min(d for _, d, _ in close)
        # Ties: two letters swapped first ("pian" is "pain", not "pin" or "plan"), then the closest.
        return max((w for w, d, _ in close if d == nearest),
                   key=lambda w: (sorted(w) == sorted(word), fuzz.ratio(word, w)))

    def doc(self, text: str) -> Doc:
        words = [self.spelling(w) for w in normalise(text)] or ["."]
        doc = Doc(self.nlp.vocab, words=words)
        for i, token in enumerate(doc):
            token.is_sent_start = i == 0 or doc[i - 1].text in SENTENCE_ENDS
        return doc

    def read(self, text: str) -> Reading:
        doc = self.doc(text)
        words = [t.text for t in doc]
        breaks = {i for i, w in enumerate(words) if (not w.isalnum() and "." not in w[1:]) or w in self.negations}
        spans, excluded = [], []
        for match in self.phrases.find(words, breaks):
            label, start, end = match.label, match.start, match.end
            if label == "FIGURATIVE":
                excluded.append((None, start, end))
            elif label.startswith("NOT_WHEN "):
                excluded.append((label[9:], start, end))
            else:
                spans.append(Span(doc, start, end, label=label))
        spans = [s for s in _longest_per_label(spans)
                 if not any((fid in (None, s.label_)) and a <= s.start and s.end <= b for fid, a, b in excluded)]
        doc.spans[GROUP] = spans
        self.context(doc)
        mentions = tuple(Mention(s.label_, _status(s), s.start, s.end) for s in doc.spans[GROUP])
        subject = read_subject(doc)
        present, absent = set(), set()
        for m in mentions:
            if m.status == "present" or (m.status == "resolved" and m.finding in self.counts_when_over) \
                    or (m.status == "historical" and m.finding in self.lasting):
                present.add(m.finding)
        for m in mentions:
            if m.status == "absent" and m.finding not in present:
                absent.add(m.finding)
        if subject.pregnancy_weeks is not None and "pregnant" in self.kb.findings:
            present.add("pregnant")
        return Reading(mentions, subject, read_temperature(doc), read_duration(doc),
                       frozenset(present), frozenset(absent))


def _longest_per_label(spans: list[Span]) -> list[Span]:
    """For each finding, the longest of overlapping matches (a gap can be filled more than one way)."""
    by_label: dict[str, list[Span]] = {}
    for span in spans:
        by_label.setdefault(span.label_, []).append(span)
    kept = []
    for group in by_label.values():
        kept += spacy.util.filter_spans(group)
    return sorted(kept, key=lambda s: (s.start, s.end))


def _status(span: Span) -> str:
    """Asked about, past or someone else's comes first: then a denial says nothing of now."""
    for attr, status in (("is_hypothetical", "hypothetical"), ("is_other", "other"), ("is_historical", "historical"),
                         ("is_negated", "absent"), ("is_resolved", "resolved")):
        if getattr(span._, attr):
            return status
    return "present"


def _number(token_text: str, articles: bool = False) -> float | None:
    """A number in digits or words; with `articles`, "a" and "an" count as one ("a week")."""
    if articles and token_text in ("a", "an"):
        return 1.0
    if re.fullmatch(r"\d+(?:\.\d+)?", token_text):
        return float(token_text)
    return NUMBER_WORDS.get(token_text)


def read_temperature(doc: Doc) -> float | None:
    """The highest temperature stated, in Celsius. Bare 34 to 43 is Celsius, 93 to 110 Fahrenheit,
    when a temperature word stands within 3 words (or the number has a decimal point)."""
    words = [t.text for t in doc]
    best = None
    for i, word in enumerate(words):
        value = float(word) if re.fullmatch(r"\d+(?:\.\d+)?", word) else None
        if value is None:
            continue
        near = set(words[max(0, i - 3): i + 3])
        if not (near & TEMPERATURE_WORDS or "." in word):
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        if 34 <= value <= 43 and after != "f":
            celsius = value
        elif 93 <= value <= 110 and after != "c":
            celsius = (value - 32) * 5 / 9
        else:
            continue
        best = celsius if best is None else max(best, celsius)
    return round(best, 1) if best is not None else None


def read_duration(doc: Doc) -> float | None:
    """How long, in hours, from "for 3 days", "2 weeks", "since yesterday"; the longest stated."""
    words = [t.text for t in doc]
    text = " ".join(words)
    best = None
    for i, word in enumerate(words[:-1]):
        amount = _number(word, articles=True)
        unit = words[i + 1]
        if amount is None or unit not in UNIT_HOURS:
            continue
        after = words[i + 2] if i + 2 < len(words) else ""
        if after in ("old", "pregnant", "ago") or (unit in ("week", "weeks", "wk", "wks") and "pregnant" in words):
            continue
        hours = amount * UNIT_HOURS[unit]
        best = hours if best is None else max(best, hours)
    for phrase, hours in (("since yesterday", 24), ("since last night", 12), ("all day", 12), ("all night", 10),
                          ("since this morning", 6), ("over a week", 170), ("over 2 weeks", 340)):
        if phrase in text:
            best = hours if best is None else max(best, hours)
    return best


def read_subject(doc: Doc) -> Subject:
    """Who: the first person named ("my dad", "my 6 week old"), their age range and sex, and
    pregnancy weeks. With nobody named, the resident themselves (age and sex if they say)."""
    words = [t.text for t in doc]
    sex, lo, hi = None, None, None
    for i, word in enumerate(words):
        if word in PEOPLE and (i == 0 or words[i - 1] in ("my", "our", "me", "the", "a", "his", "her", "year",
                                                         "old", "week", "month", "yr", "yo")):
            sex, lo, hi = PEOPLE[word]
            break
    if sex is None:
        pronouns = set(words)
        if pronouns & MALE_PRONOUNS and not pronouns & FEMALE_PRONOUNS:
            sex = "male"
        elif pronouns & FEMALE_PRONOUNS and not pronouns & MALE_PRONOUNS:
            sex = "female"
    age = _stated_age(words)
    if age is not None:
        lo = hi = age
    weeks = _pregnancy_weeks(words)
    if weeks is not None or "pregnant" in words:
        sex = "female"
    for i, word in enumerate(words[:-1]):
        if word in ("im", "i") and words[i + 1] in ("a", "am") and sex is None:
            for w in words[i + 1: i + 5]:
                if w in ("woman", "female", "lady", "girl", "mum"):
                    sex = "female"
                elif w in ("man", "male", "bloke", "guy", "dad"):
                    sex = "male"
    return Subject((lo, hi), sex, weeks)


def _stated_age(words: list[str]) -> float | None:
    for i, word in enumerate(words):
        amount = _number(word)
        if amount is None:
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        after2 = words[i + 2] if i + 2 < len(words) else ""
        before = words[i - 1] if i > 0 else ""
        before2 = words[i - 2] if i > 1 else ""
        if after in UNIT_YEARS and after2 in ("old", "o", "olds") or after in ("yo", "yrs", "yr") and after2 != "ago":
            return amount * UNIT_YEARS.get(after, 1.0)
        if after in UNIT_YEARS and before in ("my", "our", "aged") and after2 not in ("ago", "pregnant"):
            return amount * UNIT_YEARS[after]
        if before in ("aged", "age") or (before in ("im", "am", "is", "hes", "shes", "turned", "of")
                                         and after not in UNIT_HOURS and after not in ("c", "f", "degrees", "pm", "am",
                                                                                     "weeks", "wks", "mmol", "times")
                                         and before2 not in TEMPERATURE_WORDS and 1 <= amount <= 110
                                         and "." not in word):
            return amount
    return None


def _pregnancy_weeks(words: list[str]) -> float | None:
    if not {"pregnant", "pregnancy", "preg", "weeks", "wks"} & set(words) or not {"pregnant", "pregnancy", "preg",
                                                                               "gestation", "expecting"} & set(words):
        return None
    for i, word in enumerate(words[:-1]):
        amount = _number(word)
        if amount is not None and words[i + 1] in ("weeks", "week", "wks", "wk", "w") and 4 <= amount <= 43:
            return amount
    return None


@lru_cache(maxsize=1)
def reader() -> Reader:
    return Reader(knowledge())


def read(text: str) -> Reading:
    return reader().read(text)
