"""The running assistant's logs (at their normal INFO level) hold no message text and no phone
numbers (docs/privacy.md, "Logs").

Messages with a unique marker and a phone number in their text go through the web page, the
REST channel and the SMS channel (signed as Twilio signs), through triage, a place search, the
place form with a place nobody knows, and A&E steering. Then every log file the run wrote is
searched for them. The tracker store must hold them, or the search proves nothing.
"""
from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.conftest import new_sender

pytestmark = pytest.mark.integration

PHONE_IN_TEXT = "07700 900317"
SMS_FROM = "+447700900318"


def phone_forms(number: str) -> set[str]:
    digits = number.replace(" ", "").replace("+44", "0")
    national = digits[1:]
    return {number, digits, "+44" + national, "44" + national, "%2B44" + national, national[:4] + " " + national[4:]}


def send_sms(assistant, body: str) -> None:
    url = f"{assistant.rasa_url}/webhooks/sms/webhook"
    sid = "SM" + uuid.uuid4().hex
    params = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": SMS_FROM,
              "To": "+441632960000", "Body": body, "NumMedia": "0"}
    signature = RequestValidator(assistant.twilio_auth_token).compute_signature(url, params)
    resp = requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=60)
    assert resp.status_code == 200, resp.text


def test_logs_hold_no_message_text_and_no_phone_numbers(assistant):
    marker = f"qzx{uuid.uuid4().hex[:12]}"  # in every message: a word no log line could hold by chance
    web, rest = new_sender(), new_sender()
    assistant.send(f"I have had a sore throat for 3 days {marker}, call me on {PHONE_IN_TEXT}", sender=web,
                   via_web=True)
    assistant.send(f"Should I go to A&E with my sprained ankle {marker}", sender=web, via_web=True)
    assistant.send(f"I twisted my ankle {marker} my number is {PHONE_IN_TEXT}", sender=rest)
    assistant.send(f"Narnia{marker}", sender=rest)  # not a place the directory knows (the place form)
    assistant.send(f"where is the nearest pharmacy in Northwich {marker}", sender=rest)
    send_sms(assistant, f"is the chemist open on Sunday in Crewe {marker} text {PHONE_IN_TEXT}")
    send_sms(assistant, f"my tooth hurts {marker}")

    var_dir = Path(assistant.var_dir)
    with sqlite3.connect(f"file:{var_dir / 'tracker.db'}?mode=ro", uri=True) as conn:
        stored = "\n".join(r[0] for r in conn.execute("SELECT data FROM events WHERE type_name = 'user'"))
    assert stored.count(marker) >= 7, "the messages did not reach the tracker store"
    assert PHONE_IN_TEXT in stored

    logs = [p for p in var_dir.rglob("*") if p.is_file() and ".db" not in p.name]
    assert var_dir / "run.log" in logs and len([p for p in logs if p.parent.name == "logs"]) >= 3, logs
    content = {p: p.read_bytes().decode("utf-8", "replace") for p in logs}
    assert any(" INFO " in text or "INFO:" in text for text in content.values()), "no INFO lines logged?"
    needles = {marker, "sore throat", "sprained ankle", f"Narnia{marker}"} | phone_forms(PHONE_IN_TEXT) \
        | phone_forms(SMS_FROM)
    found = {str(p.relative_to(var_dir)): sorted(n for n in needles if n in text) for p, text in content.items()}
    assert not any(found.values()), {k: v for k, v in found.items() if v}
