"""Serve the web chat page and pass its messages to Rasa's REST channel.

The page and the chat API share one origin, so the browser needs no CORS and makes no call to
any other host. Rasa itself stays bound to localhost.
"""
from __future__ import annotations

import argparse
import logging

from aiohttp import ClientSession, ClientTimeout, web

from bot.paths import STATIC

log = logging.getLogger(__name__)
REST_PATH = "/webhooks/rest/webhook"
MAX_BODY = 64 * 1024  # a chat message is small; anything bigger is refused with 413


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def chat(request: web.Request) -> web.Response:
    body = await request.read()
    session: ClientSession = request.app["client"]
    try:
        async with session.post(request.app["rasa_url"] + REST_PATH, data=body,
                                headers={"Content-Type": "application/json"}) as resp:
            return web.Response(body=await resp.read(), status=resp.status,
                                content_type="application/json")
    except OSError:
        log.warning("Rasa server unreachable")
        return web.json_response(
            [{"text": "Sorry, the assistant is not available right now. If you need medical "
                      "help now, call 111. In an emergency, call 999."}], status=503)


def make_app(rasa_url: str) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app["rasa_url"] = rasa_url.rstrip("/")

    async def client_ctx(app: web.Application):
        app["client"] = ClientSession(timeout=ClientTimeout(total=30))
        yield
        await app["client"].close()

    app.cleanup_ctx.append(client_ctx)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_post(REST_PATH, chat)
    app.router.add_static("/static/", STATIC)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app(args.rasa_url), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
