"""Phone numbers never reach the tracker store: a keyed HMAC stands in for them.

The sender id Rasa sees is "sms-" and the first 128 bits of HMAC-SHA256(key, number), the key
coming from the SMS_SENDER_KEY environment variable. The same number always gives the same id,
so a conversation (and an opt-out) carries on; without the key nobody can go from the id back to
the number by trying every UK mobile number. While the key exists the id is still personal data
(UK GDPR pseudonymisation, not anonymisation): keep the key secret, and do not change it
casually (every SMS conversation and the channel's own opt-out records start afresh).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re

KEY_ENV = "SMS_SENDER_KEY"
PREFIX = "sms-"


class MissingKey(RuntimeError):
    """No SMS_SENDER_KEY: the SMS channel must not run, rather than store raw numbers."""


def sender_key() -> str | None:
    return os.environ.get(KEY_ENV) or None


def normalise_number(number: str) -> str:
    """"+44 7700 900123" and "+447700900123" are the same sender; a channel prefix
    ("whatsapp:") is kept, so the same number on another channel is another conversation."""
    number = number.strip()
    prefix, sep, rest = number.rpartition(":")
    rest = re.sub(r"[\s().-]", "", rest)
    return f"{prefix.lower()}{sep}{rest}"


def _digest(value: str, key: str | bytes | None) -> str:
    key = key if key is not None else sender_key()
    if not key:
        raise MissingKey(f"{KEY_ENV} is not set")
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key_bytes, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def pseudonym(number: str, key: str | bytes | None = None) -> str:
    """The tracker's sender id for a phone number, e.g. "sms-3f9c…" (36 characters)."""
    return PREFIX + _digest(normalise_number(number), key)


def message_ref(message_sid: str, key: str | bytes | None = None) -> str:
    """What the channel database keeps of a Twilio MessageSid (to answer it once): keyed too,
    because with access to the Twilio account a MessageSid leads to the phone number."""
    return _digest("MessageSid:" + message_sid.strip(), key)
