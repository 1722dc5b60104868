"""The engine over the tables: clinical order, most urgent across complaints, questions, modifiers."""
from __future__ import annotations

from dataclasses import replace

from bot.triage.engine import Facts


def assess(engine, reader, text, **kwargs):
    return engine.assess(Facts.from_reading(reader.read(text)), **kwargs)


def outcome(assessment):
    d = assessment.disposition
    return (d.urgency, d.service) if d else None


def test_a_stated_red_flag_answers_999_with_no_question(engine, reader):
    a = assess(engine, reader, "chest pain and im sweating")
    assert outcome(a) == ("emergency", "call_999") and a.question is None
    assert a.disposition.red_flag == "chest_pain"


def test_a_red_flag_that_is_not_known_is_asked_about(engine, reader):
    a = assess(engine, reader, "I have chest pain")
    assert a.question and a.question.options == ("sweating", "breathless")
    assert a.question.labels == ("sweating", "struggling to breathe")


def test_signs_denied_are_not_asked_about_again(engine, reader):
    a = assess(engine, reader, "chest pain, not sweating and not breathless")
    assert a.question is None and outcome(a) == ("routine", "gp_practice")


def test_no_more_than_two_questions(engine, reader):
    assert assess(engine, reader, "I have chest pain", questions_asked=2).question is None


def test_the_most_urgent_complaint_wins(engine, reader):
    a = assess(engine, reader, "rash and chest pain with a fever, not sweating, no breathlessness, rash fades")
    assert outcome(a) == ("urgent", "nhs_111") and a.disposition.complaint == "chest_pain"


def test_population_and_numbers_decide(engine, reader):
    assert outcome(assess(engine, reader, "my 6 week old has a rash and a temp of 38.2")) == ("emergency", "a_and_e")
    assert outcome(assess(engine, reader, "my 4 year old has a rash and a temp of 38.2, it fades under a glass")) \
        == ("urgent", "nhs_111")


def test_a_modifier_raises_the_answer(engine, reader):
    assert outcome(assess(engine, reader, "on chemo and got a fever and a rash that fades")) == ("emergency", "a_and_e")


def test_nothing_recognised_gives_no_answer(engine, reader):
    assert assess(engine, reader, "book a table for two").disposition is None


def test_not_sure_is_never_below_urgent(engine, reader):
    facts = Facts.from_reading(reader.read("I have chest pain"))
    a = engine.assess(replace(facts, unsure=frozenset({"sweating", "breathless"})), questions_asked=1)
    assert outcome(a) == ("urgent", "nhs_111") and "not sure" in a.disposition.reason


def test_between_two_emergencies_999_comes_before_a_and_e(engine, reader):
    a = assess(engine, reader, "my 6 week old has a rash and a temp of 38.2 and her face has dropped on one side")
    assert outcome(a) == ("emergency", "call_999")
