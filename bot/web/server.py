"""Serve the web chat page and pass its messages to Rasa's REST channel.

The page and the chat API share one origin, so the browser needs no CORS and makes no call to
any other host. Rasa itself stays bound to localhost.

Given several Rasa servers (`--rasa-url` more than once; `RASA_SERVERS=N python -m bot run`), it is
their load balancer: each chat message goes to the next server in turn, and to the one after if a
server refuses the connection; a server that is down gets no messages until it answers again
(bot/web/rasa_servers.py). No sticky sessions: the servers share the tracker store and the
Redis lock store (docs/deployment.md).

One client cannot exhaust it: connections, request heads and the time a request may take are
limited by bot/web/guard.py (WEB_* environment variables); the body by MAX_BODY below.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
from typing import Sequence

import uvloop
from aiohttp import ClientConnectorError, ClientError, ClientSession, ClientTimeout, TCPConnector, web

from bot.paths import STATIC
from bot.signposting import GET_HELP
from bot.triage.offline import emergency_first
from bot.web.guard import Limits, client_errors, run
from bot.web.rasa_servers import RasaServers

log = logging.getLogger(__name__)
REST_PATH = "/webhooks/rest/webhook"
# A chat message is small; a bigger body is refused with 413. The same as the REST channel's own
# limit (bot/channels/rest.py), so it would refuse more anyway. The page keeps messages far below it.
MAX_BODY = 64 * 1024


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


UNAVAILABLE = [{"text": f"Sorry, the assistant is not available right now. {GET_HELP}"}]


async def chat(request: web.Request) -> web.Response:
    body = await request.read()
    session: ClientSession = request.app["client"]
    servers: RasaServers = request.app["rasa_servers"]
    for url in servers.in_order():
        try:
            async with session.post(url + REST_PATH, data=body,
                                    headers={"Content-Type": "application/json"}) as resp:
                answer = await resp.read()
            servers.mark_up(url)
            return web.Response(body=answer, status=resp.status, content_type="application/json")
        except ClientConnectorError:
            # Nothing reached this server, so the message is safe to give to the next one.
            servers.mark_down(url, "connection refused")
        except (ClientError, asyncio.TimeoutError, OSError) as exc:
            # It may have been handled there: do not send it twice.
            servers.mark_down(url, f"no answer: {exc.__class__.__name__}")
            break
    return web.json_response([*emergency_first(_message_text(body)), *UNAVAILABLE], status=503)


def _message_text(body: bytes) -> str | None:
    try:
        payload = json.loads(body)
        return payload.get("message") if isinstance(payload, dict) else None
    except ValueError:
        return None


def make_app(rasa_url: str | Sequence[str]) -> web.Application:
    urls = [rasa_url] if isinstance(rasa_url, str) else list(rasa_url)
    app = web.Application(client_max_size=MAX_BODY, middlewares=[client_errors])
    app["rasa_servers"] = RasaServers(urls)  # raises ValueError without any

    async def client_ctx(app: web.Application):
        # Idle connections to Rasa are dropped after 2 s, before Sanic's own 5 s keep-alive
        # timeout closes them, so a message is never written into a connection being closed.
        app["client"] = ClientSession(timeout=ClientTimeout(total=30),
                                      connector=TCPConnector(keepalive_timeout=2.0))
        yield
        await app["client"].close()

    app.cleanup_ctx.append(client_ctx)
    app.cleanup_ctx.append(app["rasa_servers"].probing)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_post(REST_PATH, chat)
    app.router.add_static("/static/", STATIC)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--rasa-url", action="append",
                        help="a Rasa server; give it more than once to spread messages over several "
                             "(default http://127.0.0.1:5005)")
    args = parser.parse_args()
    try:
        limits = Limits.from_env()
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO)
    uvloop.install()  # the event loop Rasa's Sanic uses too: less CPU per proxied message
    run(make_app(args.rasa_url or ["http://127.0.0.1:5005"]), args.host, args.port, limits)


if __name__ == "__main__":
    main()
