"""The SMS channel through the real Rasa server: webhooks signed exactly as Twilio signs them
(form-encoded POST, X-Twilio-Signature = RequestValidator(token).compute_signature(url, params)),
answered with TwiML. Fake numbers are from Ofcom's drama range (+44 7700 900xxx)."""
from __future__ import annotations

import sqlite3
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

from bot.channels.pseudonym import pseudonym
from bot.channels.sms_format import is_gsm7, total_segments

NUMBERS_USED: set[str] = set()


def webhook_url(assistant) -> str:
    return f"{assistant.rasa_url}/webhooks/sms/webhook"


def twilio_params(number: str, body: str, sid: str | None = None) -> dict[str, str]:
    sid = sid or "SM" + uuid.uuid4().hex
    return {"ToCountry": "GB", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received",
            "Body": body, "To": "+441632960000", "NumSegments": "1", "MessageSid": sid,
            "AccountSid": "AC" + "0" * 32, "From": number, "FromCountry": "GB", "ApiVersion": "2010-04-01"}


def post(assistant, params: dict[str, str], signature: str | None = None, headers: dict | None = None,
         **kwargs) -> requests.Response:
    NUMBERS_USED.add(params.get("From", ""))
    url = webhook_url(assistant)
    if signature is None:
        signature = RequestValidator(assistant.twilio_auth_token).compute_signature(url, params)
    headers = {"X-Twilio-Signature": signature, **(headers or {})} if signature else dict(headers or {})
    return requests.post(url, data=params, headers=headers, timeout=60, **kwargs)


def sms(assistant, number: str, body: str, sid: str | None = None) -> list[str]:
    """Send one SMS as Twilio would; the texts of the <Message> elements of the TwiML answer."""
    resp = post(assistant, twilio_params(number, body, sid))
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(resp.content)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


def user_texts(assistant, number: str) -> list[str]:
    events = assistant.tracker(pseudonym(number, assistant.sms_sender_key))["events"]
    return [e.get("text") for e in events if e["event"] == "user"]


def assert_fits(messages: list[str]) -> None:
    assert total_segments(messages) <= 3, messages
    assert all(is_gsm7(m) and "’" not in m for m in messages), messages


def test_a_signed_webhook_is_answered_with_twiml(assistant):
    number = "+447700900101"
    (reply,) = sms(assistant, number, "hello")
    assert "find the right place" in reply
    assert_fits([reply])
    assert user_texts(assistant, number) == ["hello"]


def test_missing_or_wrong_signature_is_refused_with_403(assistant):
    number = "+447700900102"
    params = twilio_params(number, "hello")
    assert post(assistant, params, signature="").status_code == 403
    assert post(assistant, params, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    other_token = RequestValidator("someone-elses-token").compute_signature(webhook_url(assistant), params)
    assert post(assistant, params, signature=other_token).status_code == 403
    good = RequestValidator(assistant.twilio_auth_token).compute_signature(webhook_url(assistant), params)
    assert post(assistant, {**params, "Body": "changed on the way"}, signature=good).status_code == 403
    assert user_texts(assistant, number) == []


def test_signed_but_malformed_requests_get_400_not_500(assistant):
    number = "+447700900103"
    no_body = {k: v for k, v in twilio_params(number, "x").items() if k != "Body"}
    assert post(assistant, no_body).status_code == 400
    no_from = {k: v for k, v in twilio_params(number, "x").items() if k != "From"}
    assert post(assistant, no_from).status_code == 400
    # A JSON body, signed as Twilio signs a request with no form parameters.
    signature = RequestValidator(assistant.twilio_auth_token).compute_signature(webhook_url(assistant), {})
    resp = requests.post(webhook_url(assistant), data=b'{"Body": "hi"}', timeout=30,
                         headers={"X-Twilio-Signature": signature, "Content-Type": "application/json"})
    assert resp.status_code == 400


def test_a_long_answer_is_shortened_to_3_segments_keeping_111_and_999(assistant):
    question = "I have a sore throat, I'm in Crewe"
    full = "\n\n".join(m.get("text", "") for m in assistant.send(question))  # the same answer on the web
    assert len(full) > 3 * 153, "the answer should be too long for 3 segments as it is"
    messages = sms(assistant, "+447700900104", question)
    assert len(messages) == 1
    assert_fits(messages)
    text = messages[0]
    assert text.split(".")[0] in full  # it starts as the full answer does
    assert "Pharmacy" in text and "Phone: 01632" in text  # at least one place
    assert "111" in text and "999" in text


def test_a_places_answer_keeps_places_readable(assistant):
    (text,) = sms(assistant, "+447700900111", "find a pharmacy in Crewe")
    assert_fits([text])
    assert text.startswith("Places near you:\n\n")
    assert "\nPhone: 01632 96" in text  # each place: name, address, phone on lines of their own


def test_an_emergency_answer_stays_within_3_segments_and_starts_with_999(assistant):
    messages = sms(assistant, "+447700900105", "my dad has crushing chest pain and is sweating")
    assert_fits(messages)
    assert messages[0].startswith("Call 999 now"), messages


def test_a_numbered_reply_picks_that_option(assistant):
    number = "+447700900106"
    (menu,) = sms(assistant, number, "what can you do?")
    assert "Reply with a number:\n1: Find a pharmacy" in menu and "/find_service" not in menu
    assert_fits([menu])
    (answer,) = sms(assistant, number, "1")
    assert "town, village or postcode" in answer
    assert assistant.slots(pseudonym(number, assistant.sms_sender_key))["service_type"] == "pharmacy"
    assert user_texts(assistant, number)[-1] == '/find_service{"service_type": "pharmacy"}'


def test_a_repeated_message_sid_is_answered_once(assistant):
    number = "+447700900107"
    sid = "SM" + uuid.uuid4().hex
    assert sms(assistant, number, "hello", sid=sid)
    assert sms(assistant, number, "hello", sid=sid) == []  # an empty <Response/>
    assert user_texts(assistant, number) == ["hello"]


def test_stop_ends_replies_until_start(assistant):
    number = "+447700900108"
    assert sms(assistant, number, "hello")
    assert sms(assistant, number, "STOP") == []
    assert sms(assistant, number, "hello") == []
    assert sms(assistant, number, "I need a pharmacy") == []
    assert user_texts(assistant, number) == ["hello"]  # nothing reached Rasa while opted out
    (started,) = sms(assistant, number, "START")
    assert "replies again" in started and "999" in started
    (reply,) = sms(assistant, number, "hello")
    assert "find the right place" in reply


def test_help_says_what_it_does_and_gives_111_and_999(assistant):
    (reply,) = sms(assistant, "+447700900109", "HELP")
    assert "Cheshire" in reply and "111" in reply and "999" in reply and "STOP" in reply
    assert_fits([reply])


def test_help_after_stop_gives_the_description_111_and_999_and_replies_stay_off(assistant):
    number = "+447700900124"
    assert sms(assistant, number, "hello")
    assert sms(assistant, number, "STOP") == []
    (reply,) = sms(assistant, number, "HELP")
    assert "Cheshire" in reply and "call 111" in reply and "call 999" in reply
    assert "You texted STOP" in reply and "Text START" in reply
    assert_fits([reply])
    assert sms(assistant, number, "I need a pharmacy in Northwich") == []  # still opted out
    assert user_texts(assistant, number) == ["hello"]  # neither reached Rasa
    (started,) = sms(assistant, number, "START")
    assert "replies again" in started


def _text_of_every_table(db: Path) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"'))


def test_no_raw_phone_number_in_the_databases_or_logs(assistant):
    number = "+447700900110"
    sms(assistant, number, "where is the nearest chemist in Northwich")
    sms(assistant, number, "what can you do?")
    sms(assistant, number, "2")
    sms(assistant, number, "STOP")
    sms(assistant, number, "START")
    var_dir = Path(assistant.var_dir)
    tracker_db, channel_db = var_dir / "tracker.db", var_dir / "channels.db"
    assert tracker_db.exists() and channel_db.exists()
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as conn:
        senders = {r[0] for r in conn.execute("SELECT DISTINCT sender_id FROM events")}
    assert pseudonym(number, assistant.sms_sender_key) in senders
    files = {p for p in var_dir.rglob("*") if p.is_file() and p.suffix in (".db", ".log", ".yml", ".json")}
    assert var_dir / "run.log" in files and any(p.parent.name == "logs" for p in files)
    needles = set()
    for raw in NUMBERS_USED - {""}:
        national = raw[3:]  # 7700900110
        needles |= {raw, raw[1:], national, "0" + national, raw.replace("+", "%2B")}
    for path in sorted(files):
        content = path.read_bytes().decode("utf-8", "replace")
        if path.suffix == ".db":
            content += _text_of_every_table(path)
        found = sorted(n for n in needles if n in content)
        assert not found, f"{found} in {path}"
