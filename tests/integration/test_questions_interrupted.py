"""A red flag or a crisis said while the assistant waits for an answer is answered first (issue 12,
hazard H-21), through the real servers and the SMS channel.

The open questions today: "which town, village or postcode?" (the place form), the same after a
place it does not know, and "which do you mean?" after a place in two Care Communities.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import new_sender, texts
from tests.integration.test_sms import sms

DATA = Path(__file__).resolve().parent.parent / "data"
RED_FLAGS = yaml.safe_load((DATA / "red_flags.yml").read_text())
ASKS_PLACE = "town, village or postcode"
# Messages about wanting to die or not being safe, written for this test, none with a plan or an act.
CRISIS = ["i want to die", "I don't want to be here anymore", "I feel suicidal tonight",
          "cant cope anymore, everyone would be better off without me"]
CRISIS_LINES = ("mental health option", "116 123")  # NHS 111 option 2, Samaritans (guidance section 7)

# Each question state: the messages that open it, and what the last reply must show.
STATES = {
    "place question": (["I need a pharmacy"], ASKS_PLACE),
    "place question after a place it does not know": (["I need a dentist", "Atlantis"], ASKS_PLACE),
    "which one of two places": (["I need a dentist", "Willaston"], "Which do you mean"),
}


def open_question(assistant, state: str, sender: str) -> None:
    messages, shown = STATES[state]
    for text in messages:
        reply = texts(assistant.send(text, sender))
    assert shown in reply, (state, reply)
    assert assistant.tracker(sender)["active_loop"].get("name") == "place_form"


@pytest.mark.parametrize("state", list(STATES))
def test_every_red_flag_interrupts_an_open_question(assistant, state):
    failures = []
    for item in RED_FLAGS:
        sender = new_sender()
        open_question(assistant, state, sender)
        messages = assistant.send(item["text"], sender)
        first = messages[0].get("text", "") if messages else ""
        tracker = assistant.tracker(sender)
        if not first.startswith("Call 999 now") or tracker["slots"]["urgency"] != "emergency" \
                or tracker["active_loop"].get("name"):
            failures.append((item["text"], first[:70], tracker["active_loop"].get("name")))
    assert not failures, f"{len(failures)}/{len(RED_FLAGS)} red flags not answered 999 first:\n" + \
        "\n".join(map(str, failures))


def test_every_red_flag_interrupts_the_place_question_by_sms(assistant):
    failures = []
    for i, item in enumerate(RED_FLAGS):
        number = f"+447700900{500 + i:03d}"  # Ofcom's drama range; 500 and up are this test's alone
        asked = " ".join(sms(assistant, number, "where is the nearest pharmacy"))
        assert "town" in asked, asked
        first = sms(assistant, number, item["text"])[0]
        if not first.startswith("Call 999 now"):
            failures.append((item["text"], first[:70]))
    assert not failures, f"{len(failures)} red flags not answered 999 first by SMS:\n" + "\n".join(map(str, failures))


@pytest.mark.parametrize("state", [None, *STATES])
def test_crisis_messages_get_the_crisis_lines_in_every_state(assistant, state):
    for text in CRISIS:
        sender = new_sender()
        if state:
            open_question(assistant, state, sender)
        reply = texts(assistant.send(text, sender))
        assert all(line in reply for line in CRISIS_LINES), (state, text, reply)
        assert "could not find" not in reply.lower(), (state, text, reply)


def test_the_place_question_comes_back_after_an_interruption_that_still_needs_it(assistant):
    """A minor problem said instead of the town is answered, and the town is asked again."""
    sender = new_sender()
    open_question(assistant, "place question", sender)
    reply = texts(assistant.send("I've twisted my ankle", sender))
    assert "could not find" not in reply.lower() and ASKS_PLACE in reply, reply
    reply = texts(assistant.send("Northwich", sender))
    assert assistant.slots(sender)["care_community"] == "northwich", reply
