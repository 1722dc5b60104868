"""The web page server on its own: it must fail safe when Rasa is unreachable."""
from __future__ import annotations

import json

from aiohttp.test_utils import TestClient, TestServer

from bot.runtime import free_port
from bot.web.server import make_app


async def _post(rasa_url: str, body: bytes) -> tuple[int, str]:
    async with TestClient(TestServer(make_app(rasa_url))) as client:
        resp = await client.post("/webhooks/rest/webhook", data=body)
        return resp.status, await resp.text()


def test_rasa_down_gives_111_999_message():
    import asyncio

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    status, text = asyncio.run(_post(dead, json.dumps({"sender": "x", "message": "hi"}).encode()))
    assert status == 503
    message = json.loads(text)[0]["text"]
    assert "111" in message and "999" in message


def test_oversized_body_is_refused_with_413():
    import asyncio

    status, _ = asyncio.run(_post("http://127.0.0.1:9", b"x" * (65 * 1024)))
    assert status == 413


def test_rasa_down_still_answers_a_red_flag_with_999_first():
    import asyncio

    dead = f"http://127.0.0.1:{free_port()}"
    body = json.dumps({"sender": "x", "message": "my baby has gone blue and floppy"}).encode()
    status, text = asyncio.run(_post(dead, body))
    messages = json.loads(text)
    assert status == 503 and messages[0]["text"].startswith("Call 999 now")
    assert "111" in messages[-1]["text"]
    status, text = asyncio.run(_post(dead, json.dumps({"sender": "x", "message": "sore throat"}).encode()))
    assert not json.loads(text)[0]["text"].startswith("Call 999")


def test_the_longest_message_the_page_sends_is_accepted_by_the_servers():
    """The page's limit (index.html's data-maxlength, read by chat.js) is within the REST channel's
    and, however its characters are written, within the web page server's body limit."""
    import asyncio
    import re
    import uuid

    from bot.channels.rest import MAX_MESSAGE_CHARS
    from bot.paths import STATIC

    most = int(re.search(r'data-maxlength="(\d+)"', (STATIC / "index.html").read_text()).group(1))
    assert most <= MAX_MESSAGE_CHARS
    # A control character is 6 bytes in JSON ("\u0001"), the most any character of the page takes.
    body = json.dumps({"sender": str(uuid.uuid4()), "message": "\x01" * most}).encode()
    status, _ = asyncio.run(_post(f"http://127.0.0.1:{free_port()}", body))
    assert status == 503  # passed on to Rasa (nobody there), not refused with 413
