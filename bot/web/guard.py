"""Keep one client from exhausting the web page server: limits on connections, request heads and time.

aiohttp 3.9 (Rasa 3.6 pins aiohttp below 3.10) limits one header line to 8190 bytes and the body
to `client_max_size`, but not the number of headers nor their total size, not how long a request
may take to arrive (a "slowloris" client that sends a byte every few seconds holds its connection
for ever), and not how many connections one client holds. Rasa's own server (Sanic) refuses a
request head over 8 KiB and closes a request not received within 60 s. Here, each limit is an
environment variable (`Limits.from_env`; README and docs/deployment.md):

- **Connections.** At most WEB_MAX_CONNECTIONS at once (default 1,000, or half the process's file
  descriptor limit if that is lower, so that connections to Rasa and files still get one), and at
  most WEB_MAX_CONNECTIONS_PER_CLIENT from one IP address (default 100; 0 turns it off). The
  per-client limit is kept below the total, so one client cannot take every place: health checks
  and other residents still get in. A connection over either limit is answered 503 with
  Retry-After and closed at once, before any of its bytes are read. Connections not yet accepted
  wait in the kernel's listen queue (WEB_BACKLOG, default 128); the server accepts as fast as it
  can, so the queue only takes up a burst. Behind a proxy or ingress every connection comes from
  the proxy's address: turn the per-client limit off and limit each client at the proxy.
- **Request head.** At most WEB_MAX_HEADERS header lines (default 100) and WEB_MAX_HEADER_BYTES
  for the request line and headers together (default 8,192, as Sanic): else 431. They are counted
  as the bytes arrive, so a head that never ends costs at most that much memory. To count them,
  requests are parsed by aiohttp's pure-Python HTTP parser (the one aiohttp uses without its C
  extension), extended here; the C parser gives no hook.
- **Body.** aiohttp's `client_max_size` (413; set in server.py). A compressed body
  (`Content-Encoding: gzip`) is refused with 415 and never inflated: aiohttp would inflate a
  190 KB "zip bomb" to 200 MB before it checked the size.
- **Time.** A request must arrive whole, head and body, within WEB_REQUEST_TIMEOUT seconds
  (default 60, as Sanic) of its first byte, and a new connection must send its first request within
  that time: else 408 (when no answer is being written on that connection) and the connection is
  closed. Between requests, an idle connection is closed after WEB_KEEPALIVE_TIMEOUT seconds
  (aiohttp's keep-alive timeout; default 60).
- **Logs.** A client's fault is never logged with a traceback. A malformed or oversized request
  gets the access log's one line (400, 431). A client that closes its connection mid-request gets
  one access log line with status 499 (nginx's "client closed request"). A refused connection or a
  cut-off slow request gets one warning line, and at most one a minute of each kind: later ones are
  counted into the next line, so a flood of connections cannot flood the log. These warnings
  name neither the client's address nor anything of the request.

This relies on aiohttp 3.9's RequestHandler and its Python parser (a few private attributes);
tests/bot/web/test_guard.py runs each limit against a real server process, so an aiohttp upgrade
that changes them fails there.
"""
from __future__ import annotations

import asyncio
import logging
import math
import os
import resource
import time
from collections import Counter
from dataclasses import dataclass, fields
from typing import Mapping

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.http_parser import HttpRequestParserPy
from aiohttp.web_protocol import RequestHandler, RequestPayloadError

log = logging.getLogger(__name__)

READ_BUFSIZE = 2**16  # aiohttp's default: a body buffer over this pauses reading from the client
REPORT_EVERY = 60.0   # seconds between two warnings of the same kind


def _raw_response(status: str, *extra: str) -> bytes:
    """A complete HTTP response with no body, for answers written before aiohttp has a request."""
    return "\r\n".join([f"HTTP/1.1 {status}", *extra, "Content-Length: 0", "Connection: close", "", ""]).encode()


TOO_MANY_CONNECTIONS = _raw_response("503 Service Unavailable", "Retry-After: 10")
REQUEST_TIMEOUT = _raw_response("408 Request Timeout")


@dataclass(frozen=True)
class Limits:
    """What one client may take of the web page server (see the module docstring)."""
    max_connections: int = 1000
    max_connections_per_client: int = 100  # 0: no per-client limit (behind a proxy)
    backlog: int = 128
    max_headers: int = 100
    max_header_bytes: int = 8192
    request_timeout: float = 60.0
    keepalive_timeout: float = 60.0

    ENV = {"max_connections": "WEB_MAX_CONNECTIONS",
           "max_connections_per_client": "WEB_MAX_CONNECTIONS_PER_CLIENT",
           "backlog": "WEB_BACKLOG",
           "max_headers": "WEB_MAX_HEADERS",
           "max_header_bytes": "WEB_MAX_HEADER_BYTES",
           "request_timeout": "WEB_REQUEST_TIMEOUT",
           "keepalive_timeout": "WEB_KEEPALIVE_TIMEOUT"}

    def __post_init__(self) -> None:
        for f in fields(self):
            value, env = getattr(self, f.name), self.ENV[f.name]
            lowest = 0 if f.name == "max_connections_per_client" else 1
            if f.type == "float":
                if not (math.isfinite(value) and value > 0):
                    raise ValueError(f"{env} must be a number of seconds above 0, not {value!r}")
            elif value < lowest:
                raise ValueError(f"{env} must be a whole number of {lowest} or more, not {value!r}")
        if self.max_connections_per_client >= self.max_connections:
            raise ValueError(f"WEB_MAX_CONNECTIONS_PER_CLIENT ({self.max_connections_per_client}) must be "
                             f"below WEB_MAX_CONNECTIONS ({self.max_connections}), or one client could "
                             "take every connection")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Limits":
        """The limits from WEB_* variables; ValueError names the variable that is wrong."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = (environ.get(cls.ENV[f.name]) or "").strip()
            if not raw:
                continue
            try:
                values[f.name] = float(raw) if f.type == "float" else int(raw)
            except ValueError:
                kind = "a number of seconds" if f.type == "float" else "a whole number"
                raise ValueError(f"{cls.ENV[f.name]} must be {kind}, not {raw!r}") from None
        if "max_connections" not in values:
            soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
            if soft != resource.RLIM_INFINITY:
                values["max_connections"] = min(cls.max_connections, max(2, soft // 2))
        if "max_connections_per_client" not in values:
            total = values.get("max_connections", cls.max_connections)
            values["max_connections_per_client"] = min(cls.max_connections_per_client, total // 2)
        return cls(**values)


class HeadTooLarge(HttpProcessingError):
    """Too many header lines, or too many bytes before the body: 431."""
    code = 431


class _CountingParser(HttpRequestParserPy):
    """aiohttp's Python request parser, counting each request head's lines and bytes as they come."""

    def __init__(self, *args, max_headers: int, max_header_bytes: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._most_headers, self._most_bytes = max_headers, max_header_bytes
        self.failed = False

    @property
    def receiving(self) -> bool:
        """Part of a request has arrived, not all of it."""
        return bool(self._lines or self._tail) or self._payload_parser is not None

    def parse_message(self, lines):
        # A whole head: the request line, the headers and the empty line that ends them.
        self._check(len(lines) - 2, sum(len(line) + 2 for line in lines))
        return super().parse_message(lines)

    def feed_data(self, data, *args, **kwargs):
        result = super().feed_data(data, *args, **kwargs)
        if self._lines or self._tail:  # a head still arriving
            self._check(len(self._lines) - 1, sum(len(line) + 2 for line in self._lines) + len(self._tail))
        return result

    def _check(self, headers: int, size: int) -> None:
        if headers > self._most_headers:
            self.failed = True
            raise HeadTooLarge(message=f"More than {self._most_headers} header fields")
        if size > self._most_bytes:
            self.failed = True
            raise HeadTooLarge(message=f"Request header fields larger than {self._most_bytes} bytes")


class _Reporter:
    """One warning line per kind of event, at most once every REPORT_EVERY seconds, with a count."""

    def __init__(self, every: float = REPORT_EVERY) -> None:
        self.every = every
        self._last: dict[str, float] = {}
        self._unreported: Counter[str] = Counter()

    def event(self, kind: str, what: str) -> None:
        self._unreported[kind] += 1
        now = time.monotonic()
        if now - self._last.get(kind, -math.inf) >= self.every:
            count = self._unreported.pop(kind)
            self._last[kind] = now
            log.warning("%s (%d since the last such line)", what, count)


class _Guard:
    """The limits, and the connections open now: in all and per client address."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open = 0
        self.per_client: Counter[str] = Counter()
        self.report = _Reporter()

    def admit(self, client: str) -> bool:
        limits = self.limits
        if self.open >= limits.max_connections:
            self.report.event("total", f"Refused a connection: {limits.max_connections} open "
                                       "(WEB_MAX_CONNECTIONS)")
            return False
        if limits.max_connections_per_client and self.per_client[client] >= limits.max_connections_per_client:
            self.report.event("client", f"Refused a connection: its client already has "
                                        f"{limits.max_connections_per_client} open "
                                        "(WEB_MAX_CONNECTIONS_PER_CLIENT)")
            return False
        self.open += 1
        self.per_client[client] += 1
        return True

    def release(self, client: str) -> None:
        self.open -= 1
        self.per_client[client] -= 1
        if self.per_client[client] <= 0:
            del self.per_client[client]


class _GuardedHandler(RequestHandler):
    """aiohttp's connection handler with the connection limits, head limits and request deadline."""

    def __init__(self, manager: web.Server, *, loop: asyncio.AbstractEventLoop, guard: _Guard) -> None:
        limits = guard.limits
        # The line limits are the head limit, so that an oversized head is a 431, not aiohttp's 400.
        # Bodies are never decompressed: 190 KB of gzip can hold 200 MB, which aiohttp would
        # inflate before client_max_size is checked (client_errors refuses them with 415).
        super().__init__(manager, loop=loop, keepalive_timeout=limits.keepalive_timeout,
                         max_line_size=limits.max_header_bytes, max_field_size=limits.max_header_bytes,
                         read_bufsize=READ_BUFSIZE, auto_decompress=False)
        self._request_parser = _CountingParser(
            self, loop, READ_BUFSIZE, max_line_size=limits.max_header_bytes,
            max_field_size=limits.max_header_bytes, payload_exception=RequestPayloadError,
            auto_decompress=False, max_headers=limits.max_headers, max_header_bytes=limits.max_header_bytes)
        self._guard = guard
        self._client: str | None = None  # set once admitted
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        client = str(peer[0]) if isinstance(peer, (tuple, list)) and peer else str(peer)
        if not self._guard.admit(client):
            transport.write(TOO_MANY_CONNECTIONS)
            transport.close()
            return
        self._client = client
        super().connection_made(transport)
        self._start_deadline()  # the first request must come in time too

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._client is None:  # refused: aiohttp never saw it
            return
        self._guard.release(self._client)
        self._client = None
        self._stop_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        parser = self._request_parser
        if self._client is None or not isinstance(parser, _CountingParser) or parser.failed:
            return  # refused, closed, or already answered 431: the rest is not read
        was_receiving = parser.receiving
        if not was_receiving and self._deadline is None:
            self._start_deadline()  # a new request begins
        requests_before = self._request_count
        super().data_received(data)
        if parser.receiving:
            if self._deadline is None:
                self._start_deadline()
        elif was_receiving or self._request_count > requests_before:
            self._stop_deadline()  # the request has all arrived: answering it is not the client's time

    def _start_deadline(self) -> None:
        self._stop_deadline()
        self._deadline = self._loop.call_later(self._guard.limits.request_timeout, self._too_slow)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport is None:
            return
        if self._current_request is None and not self._messages:  # nothing being answered
            self.transport.write(REQUEST_TIMEOUT)
        self._guard.report.event("slow", "Closed a connection whose request did not arrive within "
                                         f"{self._guard.limits.request_timeout:g} s (WEB_REQUEST_TIMEOUT)")
        self.force_close()

    def handle_error(self, request, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if isinstance(exc, HeadTooLarge):
            status = 431
        return super().handle_error(request, status, exc, message)

    def log_exception(self, *args, **kwargs) -> None:
        if isinstance(kwargs.get("exc_info"), (HttpProcessingError, RequestPayloadError)):
            return  # the client's malformed request or body: the access log has its line and status
        super().log_exception(*args, **kwargs)


@web.middleware
async def client_errors(request: web.Request, handler) -> web.StreamResponse:
    """A client that left mid-request, or sent a body that cannot be decoded, is no server error:
    499 (logged once, by the access log) or 400, never a 500 with a traceback. A compressed body
    (the page never sends one; it could be a "zip bomb") gets 415."""
    if request.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity"):
        raise web.HTTPUnsupportedMediaType(text="Compressed request bodies are not accepted.")
    try:
        return await handler(request)
    except RequestPayloadError:
        raise web.HTTPBadRequest(text="The request body could not be read.")
    except OSError:  # ConnectionResetError while reading the body
        if request.transport is None or request.transport.is_closing():
            return web.Response(status=499, reason="Client Closed Request")
        raise


async def serve(app: web.Application, host: str, port: int, limits: Limits) -> None:
    """Serve app until SIGINT or SIGTERM, with the limits on every connection."""
    runner = web.AppRunner(app, handle_signals=True)
    await runner.setup()
    loop = asyncio.get_running_loop()
    guard = _Guard(limits)
    listener = await loop.create_server(lambda: _GuardedHandler(runner.server, loop=loop, guard=guard),
                                        host, port, backlog=limits.backlog)
    log.info("Web page server on http://%s:%d (%s)", host, port, limits)
    try:
        await asyncio.Future()  # until a signal raises GracefulExit
    finally:
        listener.close()
        await runner.cleanup()


def run(app: web.Application, host: str, port: int, limits: Limits) -> None:
    try:
        asyncio.run(serve(app, host, port, limits))
    except (web.GracefulExit, KeyboardInterrupt):
        pass
