"""The SMS webhook's logic without a Rasa server: signatures, fail-closed configuration, malformed
requests, STOP/START/HELP, numbered replies, repeats, failures; the pseudonyms and the state DB.
(tests/integration/test_sms.py drives the same code through the real Rasa server.)"""
from __future__ import annotations

import asyncio
import datetime as dt
import threading
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from sqlalchemy.exc import OperationalError
from twilio.request_validator import RequestValidator

from bot.channels import sms_state
from bot.channels.pseudonym import MissingKey, message_ref, normalise_number, pseudonym
from bot.channels.sms import (HELP_TEXT, OPTED_OUT_HELP_TEXT, SLOW_TEXT, SORRY_TEXT, START_TEXT, SmsSettings,
                              SmsWebhook, keyword, signed_url)
from bot.channels.sms_format import is_gsm7, total_segments
from bot.channels.sms_state import SmsState

TOKEN = "test-auth-token-0123456789abcdef"
KEY = "test-sender-key-0123456789abcdef0123456789abcdef"
URL = "http://127.0.0.1:5005/webhooks/sms/webhook"
NUMBER = "+447700900001"
FORM = "application/x-www-form-urlencoded"


class FakeRasa:
    """Stands in for Rasa's on_new_message: records what it got and answers like Rasa would."""

    def __init__(self, answer=None, delay: float = 0, error: Exception | None = None):
        self.received = []
        self.answer = answer or [{"text": "Hello. What do you need help with today?"}]
        self.delay, self.error = delay, error

    async def __call__(self, message):
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error:
            raise self.error
        for m in self.answer:
            await message.output_channel._persist_message(m)


@pytest.fixture
def webhook(tmp_path) -> SmsWebhook:
    return SmsWebhook(SmsSettings(TOKEN, KEY), SmsState(f"sqlite:///{tmp_path / 'channels.db'}"))


_sid = iter(range(10**6))


def params(body: str = "hello", number: str = NUMBER, sid: str | None = None, **extra) -> dict:
    return {"MessageSid": sid or f"SM{next(_sid):032d}", "AccountSid": "AC" + "0" * 32, "From": number,
            "To": "+441632960000", "Body": body, "NumMedia": "0", **extra}


def post(webhook: SmsWebhook, rasa: FakeRasa, form: dict | None = None, *, url: str = URL,
         signed_url_: str | None = None, token: str = TOKEN, signature: str | None = None,
         content_type: str = FORM, body: bytes | None = None):
    form = params() if form is None else form
    if signature is None:
        signature = RequestValidator(token).compute_signature(signed_url_ or url, form)
    raw = urlencode(form).encode() if body is None else body
    return asyncio.run(webhook.handle(url, raw, content_type, signature, rasa))


def messages(twiml: str) -> list[str]:
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


# --- signature, configuration, malformed requests
def test_signed_request_is_answered_with_twiml_and_rasa_sees_only_the_pseudonym(webhook):
    rasa = FakeRasa()
    status, body, content_type = post(webhook, rasa)
    assert status == 200 and content_type.startswith("text/xml")
    assert messages(body) == ["Hello. What do you need help with today?"]
    (message,) = rasa.received
    assert message.sender_id == pseudonym(NUMBER, KEY) and message.sender_id.startswith("sms-")
    assert message.text == "hello" and message.input_channel == "sms" and not message.metadata
    assert "7700900001" not in repr(vars(message))


@pytest.mark.parametrize("how", ["missing", "other token", "other url", "tampered body"])
def test_bad_signatures_are_refused_with_403(webhook, how):
    rasa = FakeRasa()
    form = params()
    if how == "missing":
        result = post(webhook, rasa, form, signature="")
    elif how == "other token":
        result = post(webhook, rasa, form, token="not-the-token")
    elif how == "other url":
        result = post(webhook, rasa, form, signed_url_="https://evil.example/webhooks/sms/webhook")
    else:
        sig = RequestValidator(TOKEN).compute_signature(URL, form)
        result = post(webhook, rasa, {**form, "Body": "something else"}, signature=sig)
    assert result[0] == 403 and rasa.received == []


@pytest.mark.parametrize("settings", [SmsSettings(None, KEY), SmsSettings(TOKEN, None), SmsSettings(None, None)])
def test_without_token_or_key_every_webhook_is_refused(tmp_path, settings):
    webhook = SmsWebhook(settings, SmsState(f"sqlite:///{tmp_path / 'c.db'}"))
    rasa = FakeRasa()
    assert post(webhook, rasa)[0] == 503 and rasa.received == []


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok")
    monkeypatch.setenv("SMS_SENDER_KEY", "key")
    monkeypatch.setenv("SMS_PUBLIC_URL", "")
    settings = SmsSettings.from_env(None)
    assert settings == SmsSettings("tok", "key", None, settings.db_url) and settings.configured
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    assert not SmsSettings.from_env({}).configured
    assert SmsSettings.from_env({"auth_token": "x"}).auth_token == "x"


@pytest.mark.parametrize("case", ["json", "no body field", "no from", "no sid"])
def test_signed_but_malformed_requests_get_400(webhook, case):
    rasa = FakeRasa()
    if case == "json":
        # Signed as Twilio would sign a request with no form parameters.
        result = post(webhook, rasa, {}, content_type="application/json", body=b'{"Body": "hi"}')
    else:
        field = {"no body field": "Body", "no from": "From", "no sid": "MessageSid"}[case]
        form = {k: v for k, v in params().items() if k != field}
        result = post(webhook, rasa, form)
    assert result[0] == 400 and rasa.received == []


def test_oversized_request_is_refused(webhook):
    assert post(webhook, FakeRasa(), body=b"x" * (65 * 1024))[0] == 413


def test_an_empty_body_asks_for_words(webhook):
    status, body, _ = post(webhook, FakeRasa(), params(body=""))
    assert status == 200 and "111" in messages(body)[0] and "999" in messages(body)[0]


def test_public_url_is_what_is_signed_behind_a_proxy(tmp_path):
    public = "https://care.example.nhs.uk"
    behind = SmsWebhook(SmsSettings(TOKEN, KEY, public_url=public), SmsState(f"sqlite:///{tmp_path / 'c.db'}"))
    form = params()
    twilio_signed = f"{public}/webhooks/sms/webhook"
    url = signed_url(URL, behind.settings.public_url)
    assert url == twilio_signed
    assert post(behind, FakeRasa(), form, url=url, signed_url_=twilio_signed)[0] == 200
    # Without SMS_PUBLIC_URL the local URL is checked, and Twilio's signature does not match it.
    assert post(behind, FakeRasa(), params(), url=URL, signed_url_=twilio_signed)[0] == 403


def test_signed_url_keeps_query_and_takes_a_full_public_url():
    assert signed_url(URL, None) == URL
    assert signed_url(URL + "?a=1", "https://h.example/") == "https://h.example/webhooks/sms/webhook?a=1"
    assert signed_url(URL, "https://h.example/care/sms") == "https://h.example/care/sms"


# --- STOP, START, HELP, numbered options, repeats
def test_stop_silences_the_number_until_start(webhook):
    rasa = FakeRasa()
    assert messages(post(webhook, rasa, params("Stop"))[1]) == []
    assert messages(post(webhook, rasa, params("hello"))[1]) == []
    assert messages(post(webhook, rasa, params("1"))[1]) == []
    assert rasa.received == []
    assert messages(post(webhook, rasa, params("start"))[1]) == [START_TEXT]
    assert messages(post(webhook, rasa, params("hello"))[1]) and len(rasa.received) == 1
    # Another number was never affected.
    assert messages(post(webhook, rasa, params("hello", number="+447700900002"))[1])


def test_help_says_what_it_does_with_111_and_999_without_asking_rasa(webhook):
    rasa = FakeRasa()
    (text,) = messages(post(webhook, rasa, params(" help "))[1])
    assert text == HELP_TEXT and "111" in text and "999" in text and "STOP" in text
    assert rasa.received == []


def test_help_after_stop_gets_the_description_with_111_and_999_and_stays_opted_out(webhook):
    rasa = FakeRasa()
    post(webhook, rasa, params("STOP"))
    for word in ("HELP", "info."):
        (text,) = messages(post(webhook, rasa, params(word))[1])
        assert text == OPTED_OUT_HELP_TEXT
        assert "signposting service" in text and "call 111" in text and "call 999" in text
        assert "You texted STOP" in text and "Text START" in text
        assert total_segments([text]) <= 3 and is_gsm7(text)
    assert messages(post(webhook, rasa, params("hello"))[1]) == []  # still opted out
    assert messages(post(webhook, rasa, params("please help me"))[1]) == []  # not the keyword
    assert rasa.received == [] and webhook.state.is_opted_out(pseudonym(NUMBER, KEY))
    assert messages(post(webhook, rasa, params("START"))[1]) == [START_TEXT]
    assert messages(post(webhook, rasa, params("HELP"))[1]) == [HELP_TEXT]


def test_keywords_are_single_words():
    assert keyword(" Stop! ") == "STOP" and keyword("stop all") == "STOP ALL"
    assert keyword("please stop the pain") == "PLEASE STOP THE PAIN"


def test_a_digit_picks_the_numbered_option(webhook):
    menu = FakeRasa([{"text": "Which one?", "buttons": [{"title": "Willaston (Nantwich)", "payload": "Willaston, Nantwich"},
                                                        {"title": "Willaston (Wirral)", "payload": "Willaston, Neston"}]}])
    (text,) = messages(post(webhook, menu, params("willaston"))[1])
    assert "1: Willaston (Nantwich)\n2: Willaston (Wirral)" in text
    rasa = FakeRasa()
    post(webhook, rasa, params(" 2 "))
    assert rasa.received[0].text == "Willaston, Neston"
    # The last reply had no options: a digit now goes to Rasa as it is.
    post(webhook, rasa, params("1"))
    assert rasa.received[1].text == "1"


def test_a_repeated_message_sid_is_answered_once(webhook):
    rasa = FakeRasa()
    form = params("hello", sid="SM" + "7" * 32)
    assert messages(post(webhook, rasa, form)[1])
    status, body, _ = post(webhook, rasa, form)
    assert status == 200 and messages(body) == [] and len(rasa.received) == 1


# --- failures still give a route to help
def test_rasa_failing_gives_the_111_999_reply(webhook):
    status, body, _ = post(webhook, FakeRasa(error=RuntimeError("model not loaded")))
    assert status == 200 and messages(body) == [SORRY_TEXT]


def test_rasa_too_slow_for_twilio_gives_the_111_999_reply(webhook):
    webhook.reply_timeout = 0.2
    rasa = FakeRasa(delay=1)
    status, body, _ = post(webhook, rasa)
    assert status == 200 and messages(body) == [SLOW_TEXT]


def test_channel_database_down_gives_the_111_999_reply():
    class Down(SmsState):
        def claim_message(self, ref):
            raise OperationalError("INSERT", {}, Exception("database is locked"))

    webhook = SmsWebhook(SmsSettings(TOKEN, KEY), Down("sqlite://"))
    status, body, _ = post(webhook, FakeRasa())
    assert status == 200 and messages(body) == [SORRY_TEXT]


# --- pseudonyms
def test_pseudonym_is_keyed_stable_and_hides_the_number():
    one = pseudonym(NUMBER, KEY)
    assert one == pseudonym("+44 7700 900001", KEY) == pseudonym(" +44-7700-900001 ", KEY)
    assert one != pseudonym(NUMBER, KEY + "x") and one != pseudonym("+447700900002", KEY)
    assert one.startswith("sms-") and len(one) == 36 and "7700900001" not in one
    assert normalise_number("whatsapp:+44 7700 900001") == "whatsapp:+447700900001"
    assert message_ref("SM1", KEY) != message_ref("SM1", KEY + "x") and "SM1" not in message_ref("SM1", KEY)


def test_no_key_no_pseudonym(monkeypatch):
    monkeypatch.delenv("SMS_SENDER_KEY", raising=False)
    with pytest.raises(MissingKey):
        pseudonym(NUMBER)


# --- the state database
def test_two_servers_sharing_the_database_answer_a_message_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = SmsState(url), SmsState(url)
    assert first.claim_message("ref-1") and not second.claim_message("ref-1")
    results = []
    states = [SmsState(url) for _ in range(8)]
    threads = [threading.Thread(target=lambda s=s: results.append(s.claim_message("ref-2"))) for s in states]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_opt_out_is_idempotent_and_shared(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    a, b = SmsState(url), SmsState(url)
    a.opt_out("sms-x")
    a.opt_out("sms-x")
    assert b.is_opted_out("sms-x") and not b.is_opted_out("sms-y")
    b.opt_in("sms-x")
    assert not a.is_opted_out("sms-x")


def test_options_expire_after_an_hour(tmp_path, monkeypatch):
    state = SmsState(f"sqlite:///{tmp_path / 'c.db'}")
    state.save_options("sms-x", ["a", "b"])
    state.save_options("sms-x", ["c"])
    assert state.options("sms-x") == ["c"]
    later = sms_state._now() + dt.timedelta(hours=1, minutes=1)
    monkeypatch.setattr(sms_state, "_now", lambda: later)
    assert state.options("sms-x") == []


def test_default_database_is_sqlite_under_var(monkeypatch):
    monkeypatch.delenv("CHANNEL_DB_URL", raising=False)
    assert sms_state.channel_db_url().startswith("sqlite:///") and sms_state.channel_db_url().endswith("channels.db")
