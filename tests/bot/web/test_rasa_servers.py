"""The web page server with a Rasa server that dies and comes back (bot/web/rasa_servers.py): it
stops sending to the dead one after the message that found it dead, and sends to it again once it
answers `GET /`. Stand-ins for Rasa's REST channel on real sockets; the web page server is the real
app from make_app()."""
from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime import free_port
from bot.web.server import make_app


class RasaStub:
    """One Rasa server's REST channel and its `GET /` on a fixed port, that can die and come back."""

    def __init__(self, name: str, seen: list[str]) -> None:
        self.name, self.seen, self.port = name, seen, free_port()
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        async def webhook(request: web.Request) -> web.Response:
            body = await request.json()
            self.seen.append(self.name)
            return web.json_response([{"recipient_id": body["sender"], "text": f"from {self.name}"}])

        async def hello(request: web.Request) -> web.Response:
            return web.Response(text="Hello from Rasa")

        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", webhook)
        app.router.add_get("/", hello)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        await self.runner.cleanup()


class DroppingServer:
    """A Rasa server dying mid-answer: it takes each connection, reads, and closes it unanswered."""

    def __init__(self) -> None:
        self.port = free_port()
        self.connections = 0

    async def start(self) -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            await reader.read(1024)
            writer.close()

        self.server = await asyncio.start_server(handle, "127.0.0.1", self.port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _send(client: TestClient, i: int) -> tuple[int, str]:
    resp = await client.post("/webhooks/rest/webhook", data=json.dumps({"sender": "s", "message": f"m{i}"}).encode())
    return resp.status, " ".join(m.get("text", "") for m in await resp.json())


def test_a_server_that_drops_messages_loses_only_the_first_one():
    """Without marking it down, every message whose turn fell on it got the 503 apology."""
    async def scenario():
        seen: list[str] = []
        good, dropping = RasaStub("B", seen), DroppingServer()
        await good.start()
        await dropping.start()
        try:
            app = make_app([dropping.url, good.url])
            app["rasa_servers"].probe_every = 3600  # only messages reach it
            async with TestClient(TestServer(app)) as client:
                answers = [await _send(client, i) for i in range(8)]
        finally:
            await good.stop()
            dropping.server.close()
        return answers, dropping.connections

    answers, connections = asyncio.run(scenario())
    assert answers[0][0] == 503 and "999" in answers[0][1]  # the one in flight: the 111/999 apology
    assert answers[1:] == [(200, "from B")] * 7
    assert connections == 1


def test_a_dead_server_gets_no_messages_and_is_back_in_turn_when_it_answers(caplog):
    async def scenario():
        seen: list[str] = []
        a, b = RasaStub("A", seen), RasaStub("B", seen)
        await a.start()
        await b.start()
        app = make_app([a.url, b.url])
        app["rasa_servers"].probe_every = 0.05
        async with TestClient(TestServer(app)) as client:
            before = [await _send(client, i) for i in range(4)]
            await a.stop()
            while_down = [await _send(client, i) for i in range(6)]
            down_marked = set(app["rasa_servers"].down)
            await a.start()  # the same port, as a restarted server
            while app["rasa_servers"].down:  # the prober finds it
                await asyncio.sleep(0.05)
            seen.clear()
            after = [await _send(client, i) for i in range(4)]
        await a.stop()
        await b.stop()
        return before, while_down, down_marked, after, list(seen), a.url

    with caplog.at_level(logging.INFO, logger="bot.web.rasa_servers"):
        before, while_down, down_marked, after, seen_after, a_url = asyncio.run(scenario())
    assert [text for _, text in before] == ["from A", "from B", "from A", "from B"]
    assert while_down == [(200, "from B")] * 6  # refused connections move on: nothing lost
    assert down_marked == {a_url}
    assert sorted(seen_after) == ["A", "A", "B", "B"]  # round robin again
    logged = caplog.text
    assert f"Rasa server {a_url} is down (connection refused)" in logged
    assert f"Rasa server {a_url} answers again" in logged
    assert "m1" not in logged and "m2" not in logged  # never message text


def test_a_server_marked_down_is_still_tried_when_all_are_down():
    async def scenario():
        seen: list[str] = []
        a = RasaStub("A", seen)
        dead = f"http://127.0.0.1:{free_port()}"
        app = make_app([a.url, dead])
        app["rasa_servers"].probe_every = 3600  # no probe: only a message can find A back
        async with TestClient(TestServer(app)) as client:
            all_down = await _send(client, 0)
            await a.start()
            back = await _send(client, 1)
        await a.stop()
        return all_down, back, app["rasa_servers"].down, dead

    all_down, back, down, dead = asyncio.run(scenario())
    assert all_down[0] == 503 and "111" in all_down[1] and "999" in all_down[1]
    assert back == (200, "from A")
    assert down == {dead}
