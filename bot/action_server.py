"""`python -m bot.action_server --actions actions --port 5055`: the Rasa SDK action server, lean and closed.

The same server as `python -m rasa_sdk` (same arguments), without TensorFlow (bot/unneeded_imports.py),
and closed to strangers, because whoever reaches it can run any action with any slots:
- it listens on 127.0.0.1 (rasa_sdk's own default is every address), or on ACTION_HOST when that
  is set (0.0.0.0 in a container that Rasa servers reach over the network);
- with ACTION_SERVER_TOKEN set, every request but `GET /health` must carry
  `Authorization: Bearer <token>`, which the Rasa server sends (endpoints.yml, bot/runtime.py);
  others get 401. On an address other hosts can reach the token is required: without one it
  refuses to start.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import sys

import pluggy

from bot.unneeded_imports import NOT_IN_SERVICES, keep_out

HOST_ENV = "ACTION_HOST"           # the address to listen on; default 127.0.0.1
TOKEN_ENV = "ACTION_SERVER_TOKEN"  # the shared secret Rasa sends as a bearer token
DEFAULT_HOST = "127.0.0.1"
MIN_TOKEN_CHARS = 16
OPEN_PATHS = frozenset({"/health"})  # for load balancers and probes: says only "ok"
hookimpl = pluggy.HookimplMarker("rasa_sdk")


class ConfigError(ValueError):
    """The environment asks for an action server that would be open to strangers."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


def settings_from_env(environ: dict[str, str] | None = None) -> tuple[str, str | None]:
    """(address to listen on, token or None), or ConfigError saying what to set."""
    environ = os.environ if environ is None else environ
    host = environ.get(HOST_ENV) or DEFAULT_HOST
    token = environ.get(TOKEN_ENV) or None
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(f"{TOKEN_ENV} is too short: use at least {MIN_TOKEN_CHARS} random characters, e.g. "
                          "python3 -c 'import secrets; print(secrets.token_hex(32))'")
    if token is None and not is_loopback(host):
        raise ConfigError(f"{HOST_ENV}={host} lets other hosts reach the action server: set {TOKEN_ENV} "
                          "(and the same token in the Rasa servers' endpoints.yml, docs/deployment.md), "
                          f"or leave {HOST_ENV} unset to listen on {DEFAULT_HOST} only.")
    return host, token


def authorized(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries the token (constant-time, so timing tells nothing)."""
    expected = f"Bearer {token}".encode()
    return hmac.compare_digest((header or "").encode("utf-8", "replace"), expected)


class RequireToken:
    """rasa_sdk plugin (its attach_sanic_app_extensions hook) that refuses requests without the token."""

    def __init__(self, token: str) -> None:
        self.token = token

    @hookimpl
    def attach_sanic_app_extensions(self, app) -> None:
        from sanic import response

        @app.middleware("request")
        async def require_token(request):
            if request.path in OPEN_PATHS or authorized(request.headers.get("authorization"), self.token):
                return None
            return response.json({"error": "missing or wrong Authorization bearer token"}, status=401,
                                 headers={"WWW-Authenticate": "Bearer"})


def main() -> None:
    keep_out(NOT_IN_SERVICES)  # first, before rasa_sdk imports anything
    try:
        host, token = settings_from_env()
    except ConfigError as exc:
        print(f"Action server not started: {exc}", file=sys.stderr)
        sys.exit(2)
    from rasa_sdk.__main__ import main as rasa_sdk_main
    from rasa_sdk.plugin import plugin_manager

    os.environ["SANIC_HOST"] = host  # rasa_sdk's run() listens where SANIC_HOST says
    if token:
        plugin_manager().register(RequireToken(token), name="care-require-token")
    rasa_sdk_main()


if __name__ == "__main__":
    main()
