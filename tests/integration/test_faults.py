"""Faults through the real servers: the action server down, and whatever a client may send.

- Action server down: red flags still get "Call 999 now" first (static responses by rule); every
  other message gets an answer that gives 111 and 999, and no triage outcome is invented.
- Bad requests (hypothesis fuzz over the HTTP API, on Rasa's REST channel and through the web page
  server): arbitrary bytes, malformed JSON, wrong types, 10,000-character messages, odd unicode.
  Always a 4xx or a sensible answer, never a 5xx; the servers stay healthy.
(A Rasa server killed and restarted mid-conversation: tests/integration/test_scale_out.py.)
"""
from __future__ import annotations

import json
import socket
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.channels.rest import MAX_MESSAGE_CHARS, REPLY_TIMEOUT
from tests.conftest import new_sender, texts

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parent.parent / "data"
REST = "/webhooks/rest/webhook"


def post(base: str, body: bytes, content_type: str | None = "application/json",
         query: str = "") -> requests.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return requests.post(f"{base}{REST}{query}", data=body, headers=headers, timeout=120)


def assert_healthy(assistant) -> None:
    assert requests.get(assistant.rasa_url + "/", timeout=10).status_code == 200
    assert requests.get(assistant.web_url + "/healthz", timeout=10).status_code == 200
    assert "find the right place" in texts(assistant.send("hello"))
    assert "find the right place" in texts(assistant.send("hello", via_web=True))


# --- the action server down ----------------------------------------------------------------------

def test_action_server_down_999_still_first_and_others_get_111(assistant):
    red_flags = yaml.safe_load((DATA / "red_flags.yml").read_text())[::15]
    assistant.action_proxy.off()
    try:
        for item in red_flags:
            sender = new_sender()
            messages = assistant.send(item["text"], sender)
            assert messages[0]["text"].startswith("Call 999 now"), (item["text"], messages)
            assert assistant.slots(sender)["urgency"] == "emergency"
        for text, via_web in [("I have a sore throat", False), ("I have a sore throat", True),
                              ("where is the nearest pharmacy in Crewe", False),
                              ("I've sprained my ankle", True), ("I need a dentist", False)]:
            sender = new_sender()
            reply = texts(assistant.send(text, sender, via_web=via_web))
            assert "111" in reply and "999" in reply, (text, reply)
            slots = assistant.slots(sender)
            assert slots["urgency"] is None and slots["recommended_service"] is None, (text, slots)
        # A conversation that started while it was up gets the safe answer too.
        sender = new_sender()
        assistant.action_proxy.on()
        assert "town, village or postcode" in texts(assistant.send("I've sprained my ankle", sender))
        assistant.action_proxy.off()
        reply = texts(assistant.send("Northwich", sender))
        assert "111" in reply and "999" in reply, reply
    finally:
        assistant.action_proxy.on()
    # Back up: the same message is answered properly again.
    sender = new_sender()
    assistant.send("I have a sore throat", sender)
    assert assistant.slots(sender)["urgency"] == "self_care"


def test_action_server_hanging_gets_the_111_999_answer_before_the_web_page_gives_up(assistant):
    """An action server that takes calls but never answers (Rasa itself would wait 5 minutes)."""
    assistant.action_proxy.off()
    hole = socket.socket()  # listens, never accepts: connections open, and nothing comes back
    hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hole.bind(("127.0.0.1", assistant.action_proxy.port))
    hole.listen(64)
    try:
        sender = new_sender()
        start = time.monotonic()
        resp = post(assistant.web_url, json.dumps({"sender": sender, "message": "I have a sore throat"}).encode())
        took = time.monotonic() - start
        assert resp.status_code == 503, resp.text[:300]
        answer = texts(resp.json())
        assert "111" in answer and "999" in answer, answer
        assert REPLY_TIMEOUT - 1 < took < 30, took  # the channel's limit, under the web page server's 30 s
        # Meanwhile a red flag needs no action server: answered at once.
        assert texts(assistant.send("crushing chest pain", new_sender())).startswith("Call 999 now")
    finally:
        hole.close()  # the waiting action call fails now, and the slow turn ends
        assistant.action_proxy.on()
    assert_healthy(assistant)


# --- bad requests, one of each --------------------------------------------------------------------

@pytest.mark.parametrize("via", ["rasa", "web"])
def test_bad_requests_get_4xx_with_111_and_999(assistant, via):
    base = assistant.rasa_url if via == "rasa" else assistant.web_url
    cases = {
        "malformed JSON": (b'{"sender": "x", "message": ', 400),
        "binary": (bytes(range(256)) * 4, 400),
        "not an object": (b'["hello"]', 400),
        "no message": (json.dumps({"sender": new_sender()}).encode(), 400),
        "message not a string": (json.dumps({"sender": new_sender(), "message": 42}).encode(), 400),
        "sender not a string": (json.dumps({"sender": ["x"], "message": "hi"}).encode(), 400),
        "10,000 characters": (json.dumps({"sender": new_sender(), "message": "chest " * 1667}).encode(), 413),
    }
    for name, (body, status) in cases.items():
        resp = post(base, body)
        assert resp.status_code == status, (name, resp.status_code, resp.text[:200])
        answer = texts(resp.json())
        assert "111" in answer and "999" in answer, (name, answer)
    assert_healthy(assistant)


def test_the_longest_message_allowed_gets_an_answer(assistant):
    text = ("I have had a bad cough for two weeks and now my chest hurts when I cough. " * 80)[:MAX_MESSAGE_CHARS]
    reply = assistant.send(text)
    assert reply and texts(reply).strip()


def test_odd_unicode_gets_a_sensible_answer_and_red_flags_survive_it(assistant):
    for text in ["مرحبا، أحتاج صيدلية", "שלום", "👋🏽🤒💊", "\u202eniap tsehc\u202c", "\x00\x01\x1b[31mhello",
                 "é" * 200, "\ufeff\u200b\u200c\u200d"]:
        resp = post(assistant.rasa_url, json.dumps({"sender": new_sender(), "message": text}).encode())
        assert resp.status_code == 200 and resp.json(), (text, resp.text[:200])
    # A lone surrogate, as JSON's escape or as raw (invalid UTF-8) bytes, parses to text no database
    # or log can hold: it is cleaned.
    for surrogate in (b"\\ud800", b"\xed\xa0\x80"):
        body = b'{"sender": "' + new_sender().encode() + b'", "message": "help ' + surrogate + b'"}'
        resp = post(assistant.rasa_url, body)
        assert resp.status_code == 200 and resp.json(), resp.text[:200]
    # Invisible characters and full-width letters do not hide a red flag.
    for text in ["crushing che\u200bst pain", "ｃｒｕｓｈｉｎｇ ｃｈｅｓｔ ｐａｉｎ", "crushing\u00ad chest\u200f pain 💔"]:
        assert texts(assistant.send(text)).startswith("Call 999 now"), text


# --- hypothesis fuzz over the HTTP API ------------------------------------------------------------

ODD = ["\u200f", "\u200e", "\u202e", "\u202c", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u0301", "\u0000",
       "\x1b[2J", "\r\n", "\ud800", "\udfff", "\U0010ffff", "\ufffe", "\uffff", "👩🏽‍⚕️", "🇬🇧", "مرحبا",
       "שלום", "𝕳𝖊𝖑𝖕", "ＣＨＥＳＴ", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "%s%n", "{{7*7}}", "'; DROP TABLE events;--",
       "/emergency", "/find_service{\"service_type\": \"dentist\"", "/restart", "chest pain", "Northwich"]
odd_text = st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=15)), max_size=25).map("".join)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8)
long_text = st.tuples(st.integers(MAX_MESSAGE_CHARS - 50, 10_500), st.sampled_from(ODD + ["a", "chest pain "])
                      ).map(lambda t: (t[1] * t[0])[:t[0]])


def _encode(data: object, ascii_only: bool) -> bytes:
    # surrogatepass: lone surrogates as (invalid) UTF-8 bytes, as a broken client would send them
    return json.dumps(data, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


well_formed = st.builds(lambda message, ascii_only, meta: _encode(
    {"sender": f"fuzz-{uuid.uuid4().hex}", "message": message, **meta}, ascii_only),
    st.one_of(odd_text, long_text), st.booleans(),
    st.fixed_dictionaries({}, optional={"metadata": json_value, "input_channel": json_value}))
wrong_types = st.builds(lambda data, ascii_only: _encode(data, ascii_only), st.one_of(
    json_value,
    st.fixed_dictionaries({}, optional={"sender": st.one_of(json_value, odd_text), "message": json_value,
                                        "metadata": json_value})), st.booleans())
malformed = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda body, cut: body[:cut], well_formed, st.integers(0, 200)),
    odd_text.map(lambda text: text.encode("utf-8", "surrogatepass")))
CONTENT_TYPES = st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                 "application/json; charset=latin-1", None])
FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


def _check(assistant, via: str, body: bytes, content_type: str | None, stream: bool) -> None:
    base = assistant.rasa_url if via == "rasa" else assistant.web_url
    resp = post(base, body, content_type, "?stream=true" if stream else "")
    event(f"{via}: HTTP {resp.status_code}")  # pytest --hypothesis-show-statistics
    assert resp.status_code < 500, (via, resp.status_code, body[:200], resp.text[:200])
    if resp.status_code == 200:
        messages = resp.json()
        assert isinstance(messages, list) and messages and all(isinstance(m, dict) for m in messages)


@FUZZ
@given(via=st.sampled_from(["rasa", "web"]), body=st.one_of(malformed, wrong_types),
       content_type=CONTENT_TYPES, stream=st.booleans())
def test_fuzz_malformed_bodies_and_wrong_types_never_5xx(assistant, via, body, content_type, stream):
    _check(assistant, via, body, content_type, stream)


@FUZZ
@given(via=st.sampled_from(["rasa", "web"]), body=well_formed, content_type=CONTENT_TYPES,
       stream=st.booleans())
def test_fuzz_odd_and_long_messages_never_5xx(assistant, via, body, content_type, stream):
    _check(assistant, via, body, content_type, stream)


def test_servers_are_healthy_after_the_fuzzing(assistant):
    assert_healthy(assistant)
