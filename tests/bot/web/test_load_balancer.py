"""The web page server as the load balancer of several Rasa servers (RASA_SERVERS > 1): round
robin, the next server when one refuses the connection, the 111/999 answer when all are down."""
from __future__ import annotations

import asyncio
import json

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime import free_port
from bot.web.server import make_app


async def _rasa_stub(name: str, seen: list[str]) -> TestServer:
    """A stand-in for one Rasa server's REST channel that says which server answered."""
    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(name)
        return web.json_response([{"recipient_id": body["sender"], "text": f"from {name}"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = TestServer(app)
    await server.start_server()
    return server


async def _chat(urls: list[str], n: int) -> list[tuple[int, str]]:
    answers = []
    async with TestClient(TestServer(make_app(urls))) as client:
        for i in range(n):
            resp = await client.post("/webhooks/rest/webhook",
                                     data=json.dumps({"sender": "s", "message": f"m{i}"}).encode())
            answers.append((resp.status, (await resp.json())[0]["text"]))
    return answers


def test_messages_go_round_robin_and_skip_a_server_that_is_down():
    async def scenario():
        seen: list[str] = []
        a, b = await _rasa_stub("A", seen), await _rasa_stub("B", seen)
        dead = f"http://127.0.0.1:{free_port()}"
        try:
            both = await _chat([str(a.make_url("")), str(b.make_url(""))], 4)
            with_dead = await _chat([str(a.make_url("")), dead, str(b.make_url(""))], 6)
        finally:
            await a.close()
            await b.close()
        return both, with_dead

    both, with_dead = asyncio.run(scenario())
    assert [text for _, text in both] == ["from A", "from B", "from A", "from B"]
    assert all(status == 200 for status, _ in with_dead)
    assert {text for _, text in with_dead} == {"from A", "from B"}


def test_all_servers_down_gives_the_111_999_answer():
    dead = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    (status, text), = asyncio.run(_chat(dead, 1))
    assert status == 503 and "111" in text and "999" in text
