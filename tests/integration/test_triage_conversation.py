"""Conversation and clinical safety through the real servers, with the public test sets."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.directory.opening_hours import gp_out_of_hours
from tests.conftest import new_sender, texts

DATA = Path(__file__).resolve().parent.parent / "data"


def load(name: str) -> list[dict]:
    return yaml.safe_load((DATA / name).read_text())


def expected_now(urgency: str, service: str) -> tuple[str, str]:
    """The sets say what is right in GP hours; out of hours, "your GP practice today" is 111."""
    if (urgency, service) == ("urgent", "gp_practice") and gp_out_of_hours(dt.datetime.now(dt.timezone.utc)):
        return urgency, "nhs_111"
    return urgency, service


def first_reply(assistant, text: str, sender: str) -> str:
    messages = assistant.send(text, sender)
    assert messages, f"no reply to {text!r}"
    return messages[0].get("text", "")


def test_every_red_flag_gets_999_in_the_first_reply(assistant):
    """100% required: each phrasing is a new conversation; the first reply says "Call 999 now"."""
    failures = []
    for item in load("red_flags.yml"):
        sender = new_sender()
        reply = first_reply(assistant, item["text"], sender)
        slots = assistant.slots(sender)
        if not reply.startswith("Call 999 now") or slots["urgency"] != "emergency" \
                or slots["recommended_service"] != "call_999":
            failures.append((item["flag"], item["text"], reply[:80], slots["urgency"]))
    assert not failures, f"{len(failures)} red flags missed:\n" + "\n".join(map(str, failures))


def test_emergency_answers_work_with_the_action_server_down(assistant):
    items = load("red_flags.yml")[::10]
    assistant.action_proxy.off()
    try:
        for item in items:
            sender = new_sender()
            messages = assistant.send(item["text"], sender)
            assert messages and messages[0]["text"].startswith("Call 999 now"), item["text"]
            assert any(b.get("payload") == "tel:999" for b in messages[0].get("buttons", []))
            assert assistant.slots(sender)["urgency"] == "emergency"
    finally:
        assistant.action_proxy.on()


def test_emergency_wording_follows_the_flag(assistant):
    anaphylaxis = texts(assistant.send("her lips and tongue are swelling up fast after eating nuts"))
    assert "adrenaline auto-injector" in anaphylaxis
    swallowed = texts(assistant.send("my 2 year old swallowed a button battery"))
    assert "Do not try to make them sick" in swallowed
    every = texts(assistant.send("he's unconscious"))
    assert "don't drive yourself" in every and "18000" in every


def test_not_emergencies_are_not_sent_to_999_much(assistant):
    """Over-triage is the second failure: report it, and keep it low (known cases in the hazard log)."""
    sent = [i["text"] for i in load("not_emergencies.yml")
            if first_reply(assistant, i["text"], new_sender()).startswith("Call 999 now")]
    assert len(sent) <= 3, sent


@pytest.mark.parametrize("name", ["pharmacy_first_and_self_care.yml", "urgent.yml", "routine.yml"])
def test_signposting_outcomes(assistant, name):
    """Urgency and kind of place for each public phrasing. The bar is 90% per set, with no urgent
    problem answered as self-care or routine (under-triage); misses are listed in the output and
    reviewed in docs/clinical-safety.md."""
    wrong, under = [], []
    items = load(name)
    for item in items:
        sender = new_sender()
        assistant.send(item["text"], sender)
        slots = assistant.slots(sender)
        got = (slots["urgency"], slots["recommended_service"])
        expected = expected_now(item["expect_urgency"], item["expect_service"])
        if got != expected:
            wrong.append((item["text"], *expected, *got))
            if item["expect_urgency"] == "urgent" and got[0] in ("self_care", "routine", None):
                under.append(item["text"])
    print(f"{name}: {len(items) - len(wrong)}/{len(items)} right")
    assert not under, f"under-triaged: {under}"
    assert len(wrong) <= len(items) // 10, f"{len(wrong)}/{len(items)} wrong:\n" + "\n".join(map(str, wrong))


def test_find_a_place_in_a_town_or_postcode(assistant):
    wrong = []
    for item in load("find_a_place.yml"):
        sender = new_sender()
        assistant.send(item["text"], sender)
        slots = assistant.slots(sender)
        if item.get("ambiguous"):
            if slots.get("care_community"):
                wrong.append((item["text"], "should ask which", slots.get("care_community")))
        elif slots.get("care_community") != item["expect_community"]:
            wrong.append((item["text"], item["expect_community"], slots.get("care_community")))
    assert not wrong, f"{len(wrong)} wrong:\n" + "\n".join(map(str, wrong))


def test_out_of_scope_sets_no_urgency(assistant):
    wrong = []
    for item in load("out_of_scope.yml"):
        sender = new_sender()
        reply = texts(assistant.send(item["text"], sender))
        if assistant.slots(sender)["urgency"] is not None or "999" not in reply:
            wrong.append((item["text"], reply[:60]))
    assert not wrong, wrong


def test_place_is_asked_once_then_remembered(assistant):
    sender = new_sender()
    reply = texts(assistant.send("I've sprained my ankle", sender))
    assert "today" in reply and "town, village or postcode" in reply
    reply = texts(assistant.send("Northwich", sender))
    slots = assistant.slots(sender)
    assert slots["care_community"] == "northwich" and slots["urgency"] == "urgent"
    assert "Minor Injuries" in reply or "Urgent Treatment" in reply, reply
    reply = texts(assistant.send("I have a sore throat", sender))
    assert "town, village or postcode" not in reply and "Pharmacy" in reply
    assert assistant.slots(sender)["urgency"] == "self_care"


def test_ambiguous_place_is_asked_about(assistant):
    sender = new_sender()
    assistant.send("I need a dentist", sender)
    reply = assistant.send("Willaston", sender)
    assert "Which do you mean" in texts(reply)
    assert assistant.slots(sender)["care_community"] is None
