"""The REST channel (POST /webhooks/rest/webhook), Rasa's own with three guarantees added.

credentials.yml names it `bot.channels.rest.RestInput:` in place of Rasa's `rest:`; its name is
still `rest`, so the URL, the request `{"sender", "message", "metadata"}` and the answer (a JSON
list of bot messages) are the same. What it adds:

1. **Bad requests get a 4xx, never a 500.** A body that is not a JSON object (malformed JSON,
   binary bytes), a missing or non-string `sender` or `message`, a sender id that is empty, longer
   than 128 characters or has control or invisible characters, or `metadata` that is not an
   object: 400. A body over 64 KiB or a message over 5,000 characters: 413. Rasa's own channel
   passes most of these on and fails inside (the tracker store's `sender_id` column is 255
   characters; PostgreSQL refuses NUL characters). Error bodies are bot messages too, with 111
   and 999, so a chat page can show them.
2. **Odd text is made safe, not refused.** Before NLU, logs and the tracker store see it: lone
   UTF-16 surrogates (a JSON `\ud800` escape, or its raw bytes, which Python's JSON parser lets
   through) become U+FFFD, control characters (other than tab and new line) become
   spaces, invisible format characters (zero-width spaces and joiners, direction marks and
   overrides, soft hyphens) are removed, and the text is NFKC-normalised (full-width and
   "fancy" letters become plain ones), so "che\u200bst pain" or "ｃｈｅｓｔ ｐａｉｎ" still meets
   the red-flag rules. Emoji and right-to-left scripts pass through. A message with no letter or
   digit left (empty, spaces, only emoji or punctuation) is answered here, asking for words and
   giving 111 and 999: Rasa's NLU can fail on a message with no tokens.
3. **Nobody is left without an answer.** When a custom action fails in the turn (the action
   server is down, times out or errors: Rasa logs it, drops the action's events and carries on)
   or the turn produced no message, the answer ends with a static "call 111 / in an emergency,
   call 999" message. Emergencies never need the action server (static `utter_emergency` by
   rule), so "Call 999 now" still comes first. If Rasa itself fails (the tracker store is down),
   or has not answered in 25 seconds (an action server that hangs: Rasa would wait 5 minutes),
   the answer is 503 with the same kind of message; a slow turn still completes and is saved.

Not supported from Rasa's channel: `?stream=true` (answered as a normal request) and a client
setting `input_channel` (ignored: it is always `rest`, so reports can trust it).
"""
from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import re
import unicodedata
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.in_time import SLOW_TEXT, handled_within
from bot.signposting import GET_HELP
from bot.triage.offline import EMERGENCY_OPENING, emergency_first

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 5000   # the web page allows 1,000; SMS 1,600
MAX_SENDER_CHARS = 128     # Rasa's tracker store column is 255

REPLY_TIMEOUT = 25.0       # seconds; under the web page server's 30 (Rasa waits 5 minutes for an action)

SORRY_TEXT = f"Sorry, something went wrong and I could not answer that. {GET_HELP}"
BAD_REQUEST_TEXT = f"Sorry, I could not read that message. Please try again. {GET_HELP}"
NO_WORDS_TEXT = f"Please type your question in words. {GET_HELP}"
TOO_LONG_TEXT = (f"That message is too long for me. Please tell me in a few words what you need. "
                 f"{GET_HELP}")
CALL_111 = {"title": "Call 111", "payload": "tel:111"}

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WORD = re.compile(r"\w")
# Rasa's processor logs this (at ERROR) when a custom action raised, then drops its events.
_ACTION_FAILED = "Encountered an exception while running action"


class BadRequest(Exception):
    def __init__(self, status: int, reason: str, text: str = BAD_REQUEST_TEXT) -> None:
        super().__init__(reason)
        self.status, self.reason, self.text = status, reason, text


def clean_text(text: str) -> str:
    """Lone surrogates → U+FFFD, NFKC, format characters (Cf) removed, control characters
    (not tab, new line) → space."""
    text = unicodedata.normalize("NFKC", _LONE_SURROGATE.sub("\ufffd", text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _CONTROL.sub(" ", text)


def parse_body(body: bytes) -> tuple[str, str, Optional[dict]]:
    """(sender, message, metadata) from a request body, or BadRequest."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(413, "body too large", TOO_LONG_TEXT)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BadRequest(400, "body is not JSON")
    if not isinstance(data, dict):
        raise BadRequest(400, "body is not a JSON object")
    sender, message, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if not isinstance(sender, str):
        raise BadRequest(400, "sender missing or not a string")
    if not 0 < len(sender) <= MAX_SENDER_CHARS or not sender.isprintable() or not sender.strip():
        raise BadRequest(400, f"sender must be 1 to {MAX_SENDER_CHARS} printable characters")
    if not isinstance(message, str):
        raise BadRequest(400, "message missing or not a string")
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadRequest(413, "message too long", TOO_LONG_TEXT)
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest(400, "metadata is not an object")
    text = clean_text(message)
    if len(text) > MAX_MESSAGE_CHARS:  # NFKC can lengthen text: one "ﷺ" is 18 letters
        raise BadRequest(413, "message too long once normalised", TOO_LONG_TEXT)
    return sender, text, metadata


# The failures of custom actions in the turn being handled (a list per request; None outside one).
_turn_failures: contextvars.ContextVar[Optional[list[str]]] = contextvars.ContextVar(
    "rest_turn_failures", default=None)


class _ActionFailureWatch(logging.Filter):
    """Notes Rasa's "exception while running action" log record against the current request."""

    def filter(self, record: logging.LogRecord) -> bool:
        failures = _turn_failures.get()
        if failures is not None and record.levelno >= logging.ERROR:
            message = str(record.msg)
            if message.startswith(_ACTION_FAILED):
                failures.append(message)
        return True  # the record is still logged as usual


_WATCH = _ActionFailureWatch()


def watch_action_failures() -> None:
    processor_logger = logging.getLogger("rasa.core.processor")
    if _WATCH not in processor_logger.filters:
        processor_logger.addFilter(_WATCH)


def sorry(sender: str | None, text: str = SORRY_TEXT) -> dict:
    message: dict = {"text": text, "buttons": [dict(CALL_111)]}
    if sender:
        message = {"recipient_id": sender, **message}
    return message


async def answer(body: bytes, on_new_message: OnNewMessage, input_channel: str = "rest",
                 reply_timeout: float = REPLY_TIMEOUT) -> tuple[int, list[dict]]:
    """(HTTP status, bot messages) for one request to the webhook."""
    try:
        sender, text, metadata = parse_body(body)
    except BadRequest as exc:
        logger.info("REST request refused with %s: %s", exc.status, exc.reason)
        return exc.status, [sorry(None, exc.text)]
    if not _WORD.search(text):
        return 200, [sorry(sender, NO_WORDS_TEXT)]
    collector = CollectingOutputChannel()
    failures: list[str] = []
    token = _turn_failures.set(failures)
    try:
        # Handled in a task that shares `failures` (bot/channels/in_time.py).
        await handled_within(on_new_message(UserMessage(
            text, collector, sender, input_channel=input_channel, metadata=metadata)), reply_timeout, "REST")
    except asyncio.TimeoutError:
        logger.error("REST: no answer in %.0f s (is the action server hanging?); answered 503", reply_timeout)
        return 503, _failed(collector, sender, text, SLOW_TEXT)
    except asyncio.CancelledError:
        logger.warning("REST: the request was cancelled (the client went away?)")
        return 503, _failed(collector, sender, text)
    except Exception as exc:  # noqa: BLE001 - the resident must still be told about 111 and 999
        logger.error("REST: the assistant failed to handle a message (%s); answered 503",
                     exc.__class__.__name__, exc_info=True)
        return 503, _failed(collector, sender, text)
    finally:
        _turn_failures.reset(token)
    messages = list(collector.messages)
    if failures or not messages:
        logger.warning("REST: %s; added the 111/999 answer",
                       f"{len(failures)} custom action(s) failed" if failures else "no answer")
        messages.append(sorry(sender))
    return 200, messages


def _failed(collector: CollectingOutputChannel, sender: str, text: str, sorry_text: str = SORRY_TEXT) -> list[dict]:
    """What was said before the failure, then 999 first for a red flag (bot/triage/offline.py),
    then the 111/999 apology: a lock store or tracker store failure must not hide an emergency."""
    said = list(collector.messages)
    already = any(str(m.get("text", "")).startswith(EMERGENCY_OPENING) for m in said)
    urgent = [] if already else [{"recipient_id": sender, **m} for m in emergency_first(text)]
    return [*urgent, *said, sorry(sender, sorry_text)]


class RestInput(InputChannel):
    """credentials.yml: `bot.channels.rest.RestInput:` (no settings)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "RestInput":
        return cls()

    def __init__(self) -> None:
        watch_action_failures()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        rest_webhook = Blueprint("rest_webhook", __name__)

        @rest_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            status, messages = await answer(request.body or b"", on_new_message, self.name())
            return response.json(messages, status=status, dumps=json.dumps)

        return rest_webhook
