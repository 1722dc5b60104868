"""One client cannot exhaust the web page server (bot/web/guard.py): a real `python -m bot.web`
process on a free port, spoken to over raw sockets where a well-behaved HTTP client would not do
what an attacker does. Each limit is set small by its environment variable, so that the tests
take seconds.
"""
from __future__ import annotations

import json
import re
import socket
import struct
import time
import uuid
import zlib
from pathlib import Path

import pytest
import requests

from bot import runtime
from bot.web.guard import Limits

REQUEST_TIMEOUT = 2  # WEB_REQUEST_TIMEOUT and WEB_KEEPALIVE_TIMEOUT of the server under test
SLOW_SEND_SECONDS = 20  # how long the slow clients would go on; far longer than the timeout
FD_LIMITED = ("import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_NOFILE, ({n}, {n})); "
              "runpy.run_module('bot.web', run_name='__main__', alter_sys=True)")


class WebServer:
    """A web page server process, its port and its log."""

    def __init__(self, log_dir: Path, rasa_port: int, fd_limit: int | None = None, **env: str) -> None:
        self.port = runtime.free_port()
        self.managed = runtime.web_server(self.port, rasa_port, runtime.base_env(**env), log_dir)
        if fd_limit:  # the process's file descriptor limit, as a small machine or container has
            python, _, _, *args = self.managed.argv  # python -m bot.web ...
            self.managed.argv = [python, "-c", FD_LIMITED.format(n=fd_limit), *args]
        self.managed.start()
        self.managed.wait_healthy(timeout=120)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.managed.log_path

    def stop(self) -> None:
        self.managed.stop()

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with open(self.log, "rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def log_lines_before_a_marker(self, offset: int) -> list[str]:
        """What the server logged since offset, up to a marker request sent now (its access line).

        The marker makes sure the server has finished with whatever came before it."""
        mark = uuid.uuid4().hex
        assert requests.get(f"{self.url}/healthz", params={"mark": mark}, timeout=10).status_code == 200
        deadline = time.monotonic() + 15
        while mark not in (text := self.log_since(offset)) and time.monotonic() < deadline:
            time.sleep(0.1)
        before, found, _ = text.partition(mark)
        assert found, f"the marker request was never logged:\n{text}"
        return before.splitlines()[:-1]  # without the marker's own line


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> WebServer:
    """A web page server with short timeouts and no Rasa server behind it (none is needed here)."""
    web = WebServer(tmp_path_factory.mktemp("web-guard"), rasa_port=runtime.free_port(),
                    WEB_REQUEST_TIMEOUT=str(REQUEST_TIMEOUT), WEB_KEEPALIVE_TIMEOUT=str(REQUEST_TIMEOUT))
    yield web
    web.stop()


def connect(port: int, source: str = "127.0.0.1", timeout: float = 10) -> socket.socket:
    sock = socket.socket()
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def exchange(port: int, data: bytes, timeout: float = 15) -> bytes:
    """Send data, then read until the server closes the connection (or a read times out)."""
    with connect(port, timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading it all: read what it said
        return read_all(sock)


def read_all(sock: socket.socket) -> bytes:
    return read_until_closed(sock)[0]


def read_until_closed(sock: socket.socket) -> tuple[bytes, bool]:
    """What the server sent, and whether it closed the connection (False: the read timed out)."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except socket.timeout:
        return received, False
    return received, True


def status(response: bytes) -> int | None:
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", response)
    return int(match.group(1)) if match else None


def get(path: str, *headers: bytes) -> bytes:
    return b"\r\n".join([b"GET " + path.encode() + b" HTTP/1.1", b"Host: localhost", *headers, b"", b""])


def no_traceback(lines: list[str]) -> None:
    assert not any("Traceback" in line for line in lines), "\n".join(lines)


# --- request heads: header count and size (431, as Sanic's 413 for Rasa's own server)

def test_too_many_headers_get_431_and_the_limit_itself_is_fine(server):
    most = Limits().max_headers
    offset = server.log_size()
    # Host, Connection and the rest: `most` in all
    at_limit = exchange(server.port, get("/healthz", *(b"X-H%d: a" % i for i in range(most - 2)),
                                         b"Connection: close"))
    assert status(at_limit) == 200
    over = exchange(server.port, get("/healthz", *(b"X-H%d: a" % i for i in range(10 * most))))
    assert status(over) == 431
    no_traceback(server.log_lines_before_a_marker(offset))


def test_a_huge_header_gets_431(server):
    offset = server.log_size()
    assert status(exchange(server.port, get("/healthz", b"X-Huge: " + b"a" * 100_000))) == 431
    assert status(exchange(server.port, get("/" + "a" * 100_000))) == 431  # a huge request line too
    no_traceback(server.log_lines_before_a_marker(offset))


def test_headers_too_large_together_get_431_though_each_is_allowed(server):
    # Each line is under aiohttp's own 8,190-byte line limit; together they are 80 KB.
    headers = [b"X-Big-%d: %s" % (i, b"b" * 8000) for i in range(10)]
    assert status(exchange(server.port, get("/healthz", *headers))) == 431


def test_a_head_that_never_ends_is_cut_off_at_the_size_limit_not_read_for_ever(server):
    with connect(server.port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        lines = b"".join(b"X-More-%d: %s\r\n" % (i, b"m" * 1000) for i in range(64))  # each line is fine
        sent = 0
        try:
            while sent < 10_000_000:  # header lines with no end, 64 KB at a time
                sock.sendall(lines)
                sent += len(lines)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_all(sock)
    assert sent < 10_000_000, "the server read 10 MB of headers without refusing them"
    assert status(answer) in (431, None)  # None: the connection was reset under our last write


def test_a_malformed_request_gets_400_and_no_traceback(server):
    offset = server.log_size()
    assert status(exchange(server.port, b"NOT HTTP AT ALL\x00\x01\r\n\r\n")) == 400
    lines = server.log_lines_before_a_marker(offset)
    no_traceback(lines)
    assert len(lines) <= 1, lines


# --- request bodies (aiohttp's client_max_size: 413)

@pytest.mark.parametrize("framing", [b"Content-Length: 10000000", b"Transfer-Encoding: chunked"])
def test_a_huge_body_gets_413_and_no_traceback(server, framing):
    offset = server.log_size()
    head = (b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + framing + b"\r\n\r\n")
    piece = b"x" * 1_000_000
    body = piece if b"Content-Length" in framing else b"%x\r\n%s\r\n" % (len(piece), piece)
    assert status(exchange(server.port, head + body)) == 413
    no_traceback(server.log_lines_before_a_marker(offset))


def peak_memory_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def test_a_compressed_body_is_refused_with_415_not_inflated(server):
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip
    bomb = packer.compress(b"\0" * 200_000_000) + packer.flush()  # 200 MB in about 190 KB
    before = peak_memory_kb(server.managed.proc.pid)
    offset = server.log_size()
    answer = exchange(server.port, b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: localhost\r\n"
                                   b"Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
                                   b"Content-Length: %d\r\n\r\n%s" % (len(bomb), bomb))
    assert status(answer) == 415
    assert peak_memory_kb(server.managed.proc.pid) - before < 50_000, "the body was inflated"
    no_traceback(server.log_lines_before_a_marker(offset))


# --- slow and idle clients: cut off after WEB_REQUEST_TIMEOUT / WEB_KEEPALIVE_TIMEOUT

def slow_send(sock: socket.socket, data: bytes) -> bool:
    """Send data a byte at a time, a fifth of a second apart; False if the server cut it off."""
    deadline = time.monotonic() + SLOW_SEND_SECONDS
    try:
        for byte in data:
            sock.sendall(bytes([byte]))
            time.sleep(0.2)
            if time.monotonic() > deadline:
                return True
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def test_a_slowloris_head_is_cut_off_with_408(server):
    offset = server.log_size()
    with connect(server.port) as sock:
        sent_all = slow_send(sock, get("/healthz", b"X-Slow: " + b"s" * 200))
        answer = read_all(sock)
    assert not sent_all, "the server waited for a head sent a byte at a time"
    assert status(answer) in (408, None)  # None: the reset reached us before the answer
    lines = server.log_lines_before_a_marker(offset)
    no_traceback(lines)
    # One warning naming WEB_REQUEST_TIMEOUT, unless one was logged in the last minute (then it is
    # counted into the next).
    assert len(lines) <= 1 and all("WEB_REQUEST_TIMEOUT" in line for line in lines), lines


def test_a_slow_body_is_cut_off_without_a_traceback(server):
    offset = server.log_size()
    body = json.dumps({"sender": "slow", "message": "x" * 200}).encode()
    with connect(server.port) as sock:
        sock.sendall(b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: localhost\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        assert not slow_send(sock, body), "the server waited for a body sent a byte at a time"
    no_traceback(server.log_lines_before_a_marker(offset))


def test_a_connection_that_sends_nothing_is_closed(server):
    with connect(server.port, timeout=SLOW_SEND_SECONDS) as sock:
        answer, closed = read_until_closed(sock)
    assert closed and status(answer) == 408


def test_an_idle_connection_after_a_request_is_closed(server):
    with connect(server.port, timeout=SLOW_SEND_SECONDS) as sock:
        sock.sendall(get("/healthz"))
        answer, closed = read_until_closed(sock)  # the answer, then the server closes the idle connection
    assert status(answer) == 200 and answer.endswith(b"ok") and closed


# --- a client that goes away mid-request: one short line, no traceback

@pytest.mark.parametrize("how", ["close", "reset"])
def test_a_client_leaving_mid_request_logs_one_line_and_no_traceback(server, how):
    offset = server.log_size()
    with connect(server.port) as sock:
        sock.sendall(b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: localhost\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"sender\": ")
        time.sleep(0.5)  # the request has reached the handler, which waits for the rest of the body
        if how == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
    deadline = time.monotonic() + 10
    while " 499 " not in server.log_since(offset) and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = server.log_lines_before_a_marker(offset)
    no_traceback(lines)
    assert len(lines) == 1 and " 499 " in lines[0], lines


# --- many connections from one client: health checks and chat still answered

@pytest.mark.integration
def test_one_client_with_many_connections_cannot_shut_out_health_checks_or_chat(tmp_path, assistant):
    """The server has 256 file descriptors (a small container): without limits, 300 connections
    from one client take them all and nobody else is accepted."""
    rasa_port = int(assistant.rasa_url.rsplit(":", 1)[1])
    web = WebServer(tmp_path, rasa_port, fd_limit=256, WEB_MAX_CONNECTIONS_PER_CLIENT="20")
    attacker: list[socket.socket] = []
    try:
        for _ in range(300):
            try:
                attacker.append(connect(web.port, source="127.0.0.2", timeout=0.5))
            except OSError:
                pass
        time.sleep(1)  # let the server accept (and refuse) them all
        assert requests.get(f"{web.url}/healthz", timeout=15).text == "ok"
        resp = requests.post(f"{web.url}/webhooks/rest/webhook", timeout=60,
                             json={"sender": uuid.uuid4().hex, "message": "I need a pharmacy in Crewe"})
        assert resp.status_code == 200 and resp.json() and "not available" not in resp.text
        still_open = 0
        for sock in attacker:
            sock.settimeout(0.2)
            try:
                answer = sock.recv(100)
                assert not answer or status(answer) == 503, answer
            except socket.timeout:
                still_open += 1  # one of the 20 it may have
            except ConnectionResetError:
                pass  # refused
        assert still_open <= 20, f"{still_open} of the client's {len(attacker)} connections are open"
        no_traceback(web.log.read_text().splitlines())
    finally:
        for sock in attacker:
            sock.close()
        web.stop()


# --- the settings

def test_limits_come_from_the_environment_and_bad_values_name_their_variable():
    limits = Limits.from_env({"WEB_MAX_CONNECTIONS": "300", "WEB_MAX_CONNECTIONS_PER_CLIENT": "0",
                              "WEB_REQUEST_TIMEOUT": "2.5", "WEB_MAX_HEADERS": "40"})
    assert (limits.max_connections, limits.max_connections_per_client, limits.request_timeout,
            limits.max_headers, limits.max_header_bytes) == (300, 0, 2.5, 40, 8192)
    assert Limits.from_env({"WEB_MAX_CONNECTIONS": "60"}).max_connections_per_client == 30
    for env, named in [({"WEB_REQUEST_TIMEOUT": "soon"}, "WEB_REQUEST_TIMEOUT"),
                       ({"WEB_KEEPALIVE_TIMEOUT": "0"}, "WEB_KEEPALIVE_TIMEOUT"),
                       ({"WEB_MAX_HEADERS": "-1"}, "WEB_MAX_HEADERS"),
                       ({"WEB_MAX_HEADER_BYTES": "8k"}, "WEB_MAX_HEADER_BYTES"),
                       ({"WEB_MAX_CONNECTIONS": "10", "WEB_MAX_CONNECTIONS_PER_CLIENT": "10"},
                        "WEB_MAX_CONNECTIONS_PER_CLIENT")]:
        with pytest.raises(ValueError, match=named):
            Limits.from_env(env)


def test_a_bad_setting_stops_the_server_at_start_with_a_clear_message(tmp_path):
    web = runtime.web_server(runtime.free_port(), runtime.free_port(),
                             runtime.base_env(WEB_REQUEST_TIMEOUT="soon"), tmp_path)
    web.start()
    assert web.proc.wait(timeout=120) == 2
    assert "WEB_REQUEST_TIMEOUT must be a number of seconds, not 'soon'" in web.log_path.read_text()
