"""SMS through Twilio: a Rasa input channel named `sms` (Twilio posts to /webhooks/sms/webhook).

For every webhook, in this order:
1. Refuse it unless the channel is configured (TWILIO_AUTH_TOKEN and SMS_SENDER_KEY set: 503)
   and X-Twilio-Signature is right for this URL and these parameters (twilio's
   RequestValidator: 403). Nothing unsigned is ever processed.
2. 400 for a signed request that is not a form post with From, Body and MessageSid.
3. The sender's number becomes a keyed pseudonym (pseudonym.py) at once: only the pseudonym
   reaches Rasa, the tracker store, the channel database and the logs.
4. A MessageSid already answered gets an empty TwiML <Response/> (Twilio repeats webhooks).
5. STOP (and Twilio's other opt-out words) stops all replies to that number until START;
   HELP says what the service does and gives 111 and 999, also to a number that sent STOP (the
   one message it still gets: HELP must always be answered). None of these goes to Rasa.
6. A bare "1", "2"... picks that numbered option of the last reply (its button payload).
7. Rasa answers (CollectingOutputChannel, like the REST channel); the answer is formatted for SMS
   (sms_format.py) and sent back as TwiML in the webhook's response, one <Message>.
If Rasa fails or takes longer than Twilio waits (15 s), the reply says to call 111 or 999.
No message text and no number is logged at INFO or above.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import parse_qs, urlsplit, urlunsplit

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.in_time import SLOW_TEXT, handled_within
from bot.channels.pseudonym import KEY_ENV, message_ref, pseudonym
from bot.channels.sms_format import format_reply, option_number
from bot.channels.sms_state import DB_URL_ENV, SmsState
from bot.signposting import GET_HELP

logger = logging.getLogger(__name__)

TOKEN_ENV = "TWILIO_AUTH_TOKEN"
PUBLIC_URL_ENV = "SMS_PUBLIC_URL"
FORM = "application/x-www-form-urlencoded"
TWIML = "text/xml; charset=utf-8"
MAX_BODY_BYTES = 64 * 1024
MAX_TEXT = 1600           # Twilio's own limit for one incoming message
REPLY_TIMEOUT = 12.0      # seconds; Twilio gives up after 15

# Twilio's keywords (Advanced Opt-Out): a message that is only one of these words.
STOP_WORDS = frozenset({"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})

SERVICE_TEXT = ("This is the Cheshire care signposting service. Text what you need and your town, for "
                "example: pharmacy in Crewe. We reply with places to get care. We cannot give a diagnosis.")
HELP_TEXT = f"{SERVICE_TEXT} {GET_HELP} Text STOP to end replies."
# HELP from a number that sent STOP: still opted out, and told how to undo it.
OPTED_OUT_HELP_TEXT = (f"{SERVICE_TEXT} {GET_HELP} You texted STOP, so we reply only to HELP. "
                       "Text START to get replies again.")
START_TEXT = f"You will get replies again. Tell us what you need help with and your town. {GET_HELP}"
EMPTY_TEXT = f"Please text your question in words. {GET_HELP}"
SORRY_TEXT = f"Sorry, something went wrong. Please try again. {GET_HELP}"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def keyword(text: str) -> str:
    """"Stop", " STOP. " → "STOP"; a longer message is not a keyword."""
    return " ".join(re.sub(r"[^A-Za-z ]", " ", text).split()).upper()


def twiml(*texts: str) -> str:
    """<Response><Message>…</Message></Response>; no texts gives an empty <Response/>."""
    reply = MessagingResponse()
    for text in texts:
        if text:
            reply.message(text)
    return str(reply)


def signed_url(request_url: str, public_url: str | None) -> str:
    """The URL Twilio signed. With SMS_PUBLIC_URL (Rasa behind a proxy or tunnel): its scheme and
    host with this request's path and query, or, if it has a path, exactly that URL."""
    if not public_url:
        return request_url
    req, pub = urlsplit(request_url), urlsplit(public_url.strip())
    path = pub.path if pub.path not in ("", "/") else req.path
    return urlunsplit((pub.scheme, pub.netloc, path, pub.query or req.query, ""))


class _Params(dict):
    """Form fields as name → list of values, which RequestValidator reads with getlist."""

    def getlist(self, name: str) -> list[str]:
        return self[name]

    def first(self, name: str) -> str | None:
        values = self.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class SmsSettings:
    auth_token: str | None
    sender_key: str | None
    public_url: str | None = None
    db_url: str | None = None

    @classmethod
    def from_env(cls, credentials: dict | None = None) -> "SmsSettings":
        """Values in credentials.yml win; otherwise the environment variables."""
        creds = credentials or {}

        def get(key: str, env: str) -> str | None:
            return str(creds.get(key) or os.environ.get(env) or "").strip() or None

        return cls(get("auth_token", TOKEN_ENV), get("sender_key", KEY_ENV),
                   get("public_url", PUBLIC_URL_ENV), get("db_url", DB_URL_ENV))

    @property
    def configured(self) -> bool:
        return bool(self.auth_token and self.sender_key)


class SmsWebhook:
    """The webhook's logic without Sanic: (status, body, content type) for a request."""

    def __init__(self, settings: SmsSettings, state: SmsState | None = None,
                 reply_timeout: float = REPLY_TIMEOUT) -> None:
        self.settings = settings
        self.state = state or SmsState(settings.db_url)
        self.reply_timeout = reply_timeout
        self.validator = RequestValidator(settings.auth_token) if settings.auth_token else None

    async def handle(self, url: str, body: bytes, content_type: str, signature: str,
                     on_new_message: OnNewMessage) -> tuple[int, str, str]:
        if len(body) > MAX_BODY_BYTES:
            return 413, "Too large", "text/plain"
        if not self.settings.configured or self.validator is None:
            logger.warning("SMS webhook refused: the channel is not configured (%s and %s must be set)",
                           TOKEN_ENV, KEY_ENV)
            return 503, "SMS channel not configured", "text/plain"
        is_form = content_type.split(";")[0].strip().lower() == FORM
        params = _Params(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)) if is_form else _Params()
        if not signature or not self.validator.validate(url, params, signature):
            logger.warning("SMS webhook refused: %s X-Twilio-Signature (check TWILIO_AUTH_TOKEN, and "
                           "SMS_PUBLIC_URL when behind a proxy)", "wrong" if signature else "no")
            return 403, "Forbidden", "text/plain"
        number, text = params.first("From"), params.first("Body")
        sid = params.first("MessageSid") or params.first("SmsSid")
        if not is_form or not number or text is None or not sid:
            logger.warning("SMS webhook refused: not a form post with From, Body and MessageSid")
            return 400, "Bad request", "text/plain"
        sender = pseudonym(number, self.settings.sender_key)
        try:
            texts = await self._answer(sender, message_ref(sid, self.settings.sender_key), text[:MAX_TEXT],
                                       on_new_message)
        except SQLAlchemyError as exc:
            # Twilio's own opt-out still blocks replies to numbers that sent STOP.
            logger.error("SMS channel database failed (%s); sent the 111/999 reply", exc.__class__.__name__)
            texts = [SORRY_TEXT]
        return 200, twiml(*texts), TWIML

    async def _answer(self, sender: str, ref: str, text: str, on_new_message: OnNewMessage) -> list[str]:
        state = self.state
        if not state.claim_message(ref):
            logger.info("SMS webhook repeated (same MessageSid): not answered again")
            return []
        word = keyword(text) if len(text) <= 20 else ""
        if word in STOP_WORDS:
            state.opt_out(sender)
            logger.info("SMS: a sender opted out (STOP)")
            return []
        opted_out = state.is_opted_out(sender)
        if word == "START" or (opted_out and word in START_WORDS):
            state.opt_in(sender)
            state.save_options(sender, [])
            logger.info("SMS: a sender opted in again (START)")
            return [START_TEXT]
        if opted_out and word in HELP_WORDS:
            # HELP is the standard keyword that is always answered: the resident asked for it, and
            # for a health service the answer must carry 111 and 999. Replies stay off otherwise.
            logger.info("SMS: HELP from a sender who opted out: answered; still opted out")
            return [OPTED_OUT_HELP_TEXT]
        if opted_out:
            logger.debug("SMS: %s has opted out; no reply", sender)
            return []
        if word in HELP_WORDS:
            state.save_options(sender, [])
            return [HELP_TEXT]
        if not text.strip():
            return [EMPTY_TEXT]
        number = option_number(text)
        if number:
            options = state.options(sender)
            if 1 <= number <= len(options):
                text = options[number - 1]
        collector = CollectingOutputChannel()
        message = UserMessage(text, collector, sender, input_channel=SmsInput.name())
        failure = await self._run(on_new_message, message)
        if failure:
            return [failure]
        reply = format_reply(collector.messages)
        state.save_options(sender, reply.options)
        return reply.messages

    async def _run(self, on_new_message: OnNewMessage, message: UserMessage) -> str | None:
        """Rasa handles the message. None when it answered; otherwise the 111/999 text to send
        instead (when it is slow it carries on in the background, so the conversation stays whole)."""
        try:
            await handled_within(on_new_message(message), self.reply_timeout, "SMS")
            return None
        except asyncio.TimeoutError:
            logger.warning("SMS: no answer from the assistant in %.0fs; sent the 111/999 reply",
                           self.reply_timeout)
            return SLOW_TEXT
        except Exception as exc:  # noqa: BLE001 - the resident must still get the 111/999 reply
            logger.error("SMS: the assistant failed to answer (%s); sent the 111/999 reply",
                         exc.__class__.__name__)
            logger.debug("SMS handling failed", exc_info=True)
            return SORRY_TEXT


class SmsInput(InputChannel):
    """credentials.yml: `bot.channels.sms.SmsInput:` (settings from the environment)."""

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "SmsInput":
        return cls(SmsSettings.from_env(credentials))

    def __init__(self, settings: SmsSettings | None = None) -> None:
        self.settings = settings or SmsSettings.from_env()
        self.webhook = SmsWebhook(self.settings)
        if self.settings.configured:
            logger.info("SMS channel ready at /webhooks/sms/webhook")
        else:
            logger.info("SMS channel not configured (%s, %s unset): it refuses every webhook with 503",
                        TOKEN_ENV, KEY_ENV)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        sms_webhook = Blueprint("sms_webhook", __name__)

        @sms_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            status, body, content_type = await self.webhook.handle(
                url=signed_url(request.url, self.settings.public_url), body=request.body or b"",
                content_type=request.headers.get("content-type", ""),
                signature=request.headers.get("x-twilio-signature", ""), on_new_message=on_new_message)
            return response.text(body, status=status, content_type=content_type)

        return sms_webhook
