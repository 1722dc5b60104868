"""The REST channel's logic without a Rasa server: request validation (4xx, never 500), text
cleaning, and the 111/999 answer when a custom action fails or nothing was said.
(tests/integration/test_faults.py drives the same code through the real servers.)"""
from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.channels.rest import (MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, NO_WORDS_TEXT, SLOW_TEXT, SORRY_TEXT,
                               TOO_LONG_TEXT, BadRequest, RestInput, answer, clean_text, parse_body)


class FakeRasa:
    """Stands in for Rasa's on_new_message: records the message, answers, and can fail like Rasa."""

    def __init__(self, answer=None, action_fails: bool = False, error: Exception | None = None,
                 delay: float = 0):
        self.received, self.finished = [], []
        self.answer = [{"text": "Hello."}] if answer is None else answer
        self.action_fails, self.error, self.delay = action_fails, error, delay

    async def __call__(self, message):
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        for m in self.answer:
            await message.output_channel._persist_message(message.output_channel._message(message.sender_id, **m))
        if self.action_fails:  # what rasa/core/processor.py logs when a custom action raised
            try:
                raise ConnectionError("action server down")
            except ConnectionError:
                logging.getLogger("rasa.core.processor").exception(
                    "Encountered an exception while running action 'action_triage'.Bot will continue, "
                    "but the actions events are lost.")
        if self.error:
            raise self.error
        self.finished.append(message)


def call(body, rasa: FakeRasa | None = None) -> tuple[int, list[dict], FakeRasa]:
    rasa = rasa or FakeRasa()
    RestInput()  # installs the action-failure watch, as Rasa does when it loads credentials.yml
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, messages = asyncio.run(answer(raw, rasa))
    return status, messages, rasa


def test_a_good_request_reaches_rasa_and_its_answer_comes_back():
    status, messages, rasa = call({"sender": "abc", "message": "hello", "metadata": {"x": 1}})
    assert status == 200 and [m["text"] for m in messages] == ["Hello."]
    got = rasa.received[0]
    assert (got.sender_id, got.text, got.input_channel, got.metadata) == ("abc", "hello", "rest", {"x": 1})


@pytest.mark.parametrize("body", [
    b"", b"{not json", b"\xff\xfe\x00garbage", b"[1, 2]", b'"hello"', b"null", b"[" * 50_000,
    {"message": "hi"}, {"sender": "a"}, {"sender": 1, "message": "hi"}, {"sender": "a", "message": None},
    {"sender": "a", "message": ["hi"]}, {"sender": "", "message": "hi"}, {"sender": "   ", "message": "hi"},
    {"sender": "a\x00b", "message": "hi"}, {"sender": "a\u200bb", "message": "hi"},
    {"sender": "x" * (MAX_SENDER_CHARS + 1), "message": "hi"}, {"sender": "a", "message": "hi", "metadata": []},
], ids=lambda body: repr(body)[:40])
def test_bad_requests_get_400_with_111_and_999_and_never_reach_rasa(body):
    status, messages, rasa = call(body)
    assert status == 400 and not rasa.received
    assert "111" in messages[0]["text"] and "999" in messages[0]["text"]


def test_too_long_gets_413():
    status, messages, rasa = call({"sender": "a", "message": "x" * (MAX_MESSAGE_CHARS + 1)})
    assert status == 413 and messages[0]["text"] == TOO_LONG_TEXT and not rasa.received
    assert call({"sender": "a", "message": "x" * MAX_MESSAGE_CHARS})[0] == 200
    assert call(b'{"sender": "a", "message": "' + b"x" * 70_000 + b'"}')[0] == 413
    assert call({"sender": "a", "message": "\ufdfa" * 1000})[0] == 413  # 18,000 letters once normalised


def test_odd_text_is_cleaned_not_refused():
    assert clean_text("a\x00b\x07c\td\ne") == "a b c\td\ne"
    assert clean_text("x\ud800y") == "x\ufffdy"
    assert clean_text("مرحبا héllo 👋🏽 שלום") == "مرحبا héllo 👋🏽 שלום"
    # Invisible characters and look-alike letters would hide words from the red-flag rules.
    assert clean_text("cru\u00adshing che\u200bst\u200d pain\u202e\u200f\ufeff") == "crushing chest pain"
    assert clean_text("ｃｈｅｓｔ ｐａｉｎ 𝐜𝐡𝐞𝐬𝐭") == "chest pain chest"
    # A lone surrogate written as a JSON escape parses to a str Rasa can't store or log as UTF-8.
    _, text, _ = parse_body(b'{"sender": "a", "message": "pain \\ud83d here"}')
    assert text == "pain \ufffd here"
    text.encode("utf-8")


def test_action_failure_adds_the_111_999_answer_after_what_was_said():
    status, messages, _ = call({"sender": "a", "message": "sore throat"},
                               FakeRasa(answer=[{"text": "Which town?"}], action_fails=True))
    assert status == 200
    assert [m["text"] for m in messages] == ["Which town?", SORRY_TEXT]
    assert {"title": "Call 111", "payload": "tel:111"} in messages[-1]["buttons"]


def test_no_answer_gets_the_111_999_answer():
    status, messages, _ = call({"sender": "a", "message": "hi"}, FakeRasa(answer=[]))
    assert status == 200 and [m["text"] for m in messages] == [SORRY_TEXT]


def test_a_failure_in_one_request_does_not_mark_the_next():
    call({"sender": "a", "message": "x"}, FakeRasa(action_fails=True))
    status, messages, _ = call({"sender": "a", "message": "y"})
    assert status == 200 and [m["text"] for m in messages] == ["Hello."]


def test_rasa_failing_gets_503_with_111_and_999():
    status, messages, _ = call({"sender": "a", "message": "hi"}, FakeRasa(answer=[], error=RuntimeError("db down")))
    assert status == 503 and messages[-1]["text"] == SORRY_TEXT


def test_bad_request_reason_is_kept():
    with pytest.raises(BadRequest) as exc:
        parse_body(b'{"sender": "a"}')
    assert exc.value.status == 400 and "message" in exc.value.reason


@pytest.mark.parametrize("text", ["", "   ", "\u200b\ufeff", "!!!", "👋🏽🤒", "/"])
def test_no_words_gets_asked_for_words_without_reaching_rasa(text):
    status, messages, rasa = call({"sender": "a", "message": text})
    assert status == 200 and [m["text"] for m in messages] == [NO_WORDS_TEXT] and not rasa.received


def test_slow_turn_gets_503_with_111_999_and_still_completes():
    async def scenario():
        rasa = FakeRasa(delay=0.3)
        status, messages = await answer(json.dumps({"sender": "a", "message": "hi"}).encode(), rasa,
                                        reply_timeout=0.05)
        await asyncio.sleep(0.5)
        return status, messages, rasa

    status, messages, rasa = asyncio.run(scenario())
    assert status == 503 and messages[-1]["text"] == SLOW_TEXT and "999" in SLOW_TEXT
    assert rasa.finished, "the turn carries on in the background"


def test_a_red_flag_still_gets_999_first_when_rasa_fails():  # e.g. the lock store (Redis) is down
    status, messages, _ = call({"sender": "a", "message": "my dad has crushing chest pain"},
                               FakeRasa(answer=[], error=RuntimeError("lock store down")))
    assert status == 503 and messages[0]["text"].startswith("Call 999 now")
    assert messages[0]["buttons"] == [{"title": "Call 999", "payload": "tel:999"}]
    assert messages[-1]["text"] == SORRY_TEXT


def test_no_second_999_when_rasa_had_already_said_it():
    said = [{"text": "Call 999 now and ask for an ambulance."}]
    _, messages, _ = call({"sender": "a", "message": "he is not breathing"},
                          FakeRasa(answer=said, error=RuntimeError("tracker store down")))
    assert [m["text"] for m in messages].count("Call 999 now and ask for an ambulance.") == 1
    assert not any(m["text"].startswith("Call 999 now and ask for an ambulance. This could") for m in messages)
