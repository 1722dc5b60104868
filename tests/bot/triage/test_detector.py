"""The red-flag detector on its own: the public sets, negation, misspellings, who it is about."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.triage.detector import find

DATA = Path(__file__).resolve().parents[2] / "data"
RED_FLAGS = yaml.safe_load((DATA / "red_flags.yml").read_text())
NOT_EMERGENCIES = yaml.safe_load((DATA / "not_emergencies.yml").read_text())


def test_the_public_set_is_large_and_varied():
    assert len(RED_FLAGS) >= 150
    who = [i["who"] for i in RED_FLAGS]
    assert who.count("child") + who.count("baby") >= 40
    assert len({i["flag"] for i in RED_FLAGS}) == 14


@pytest.mark.parametrize("item", RED_FLAGS, ids=[f"{i['flag']}-{n}" for n, i in enumerate(RED_FLAGS)])
def test_every_red_flag_phrasing_is_an_emergency(item):
    assert find(item["text"]).emergency, item["text"]


def test_few_red_flag_words_out_of_context_are_emergencies():
    wrongly = [i["text"] for i in NOT_EMERGENCIES if find(i["text"]).emergency]
    assert len(wrongly) <= 3, wrongly


@pytest.mark.parametrize("text", ["no chest pain, just a cough", "he is not bleeding now", "without any fits",
                                  "never had a seizure, need a repeat prescription for my inhaler"])
def test_negation(text):
    assert not find(text).emergency


@pytest.mark.parametrize("text, flag", [
    ("chest pian", "chest_pain"), ("he is unconsious", "unconscious_or_confused"),
    ("my daughter is having a siezure", "seizure"), ("cant breath", "breathing"),
    ("bleding alot wont stop", "heavy_bleeding"), ("lips swolen after nuts", "anaphylaxis"),
])
def test_misspellings(text, flag):
    assert find(text).flag == flag


@pytest.mark.parametrize("text", ["I'm checking the doors over and over", "the cut is gaping a bit",
                                  "blocked nose, can't breathe through it", "where can I get a flu shot",
                                  "walking with a limp after twisting my ankle", "I don't know where the pharmacy is",
                                  "I feel odd", "sore throat and swollen glands"])
def test_real_words_are_not_bent_into_red_flags(text):
    assert not find(text).emergency, find(text)


@pytest.mark.parametrize("text, who, group, age, sex", [
    ("my 8 year old son has earache", "someone_else", "child", 8, "male"),
    ("I'm 30 and female", "self", "adult", 30, "female"),
    ("my 3 month old baby", "someone_else", "baby", 0, None),
    ("my grandson is 18 months", "someone_else", "child", 1, "male"),
    ("my wife has a sore throat", "someone_else", "unknown", None, "female"),
    ("had a heart attack 5 years ago", "unknown", "unknown", None, None),
])
def test_who_it_is_about(text, who, group, age, sex):
    s = find(text).subject
    assert (s.who, s.age_group, s.age, s.sex) == (who, group, age, sex)


def test_history_cancels_a_diagnosis_word_but_never_a_symptom():
    assert not find("had a stroke last year, is there a carers group").emergency
    assert find("had chest pain an hour ago and it is still there").emergency
    assert find("his face has dropped, he had a stroke last year").emergency


def _phrasings() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*.yml")):
        texts += [i["text"] for i in yaml.safe_load(path.read_text()) if isinstance(i, dict) and "text" in i]
    return texts


def test_keyed_matchers_find_what_one_whole_matcher_finds():
    """The speed-up (one Matcher per key, run only when its words are there) changes no match."""
    from spacy.matcher import Matcher

    from bot.triage.conditions import CONDITIONS, MODIFIERS
    from bot.triage.detector import _expand, detector
    from bot.triage.red_flags import RED_FLAGS as FLAG_PATTERNS

    d = detector()
    texts = _phrasings()
    assert len(texts) >= 500
    checked = 0
    for keyed, table in ((d.matcher, FLAG_PATTERNS), (d.conditions, CONDITIONS), (d.modifiers, MODIFIERS)):
        whole = Matcher(d.nlp.vocab)
        for name, patterns in table.items():
            whole.add(name, [_expand(p) for p in patterns])
        for text in texts:
            doc = d.nlp(text)
            d._normalise_spelling(doc)
            expected = whole(doc)
            assert sorted(keyed(doc)) == sorted(expected), text
            checked += len(expected)
    assert checked >= 500  # the texts do match, so the comparison means something
