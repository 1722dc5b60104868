"""`python -m bot run` keeps the assistant up: each child killed (SIGKILL, no clean shutdown) is
started again by the supervisor (bot/runtime.py Supervisor), the service answers again and the
conversation carries on; with two Rasa servers, killing one loses no conversation and no message
beyond the ones it was handling. It also keeps secrets off command lines and the action server
closed (bot/action_server.py).

Each class starts its own `python -m bot run` (not the session's `assistant`, which other tests need
up): one Rasa server on SQLite, then two on PostgreSQL and Redis.
"""
from __future__ import annotations

import os
import secrets
import signal
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy.engine import make_url

from bot import runtime
from bot.directory.db import engine_for
from bot.directory.loader import load
from bot.paths import SERVICES_DIRECTORY
from tests.conftest import new_sender, texts
from tests.integration.test_scale_out import POSTGRES, REDIS, _admin_sql, _services_or_skip
from tests.processes import child_running, descendants, cmdline, listening_addresses, non_loopback_address

pytestmark = pytest.mark.integration

PLACE_QUESTION = "town, village or postcode"
REST = "/webhooks/rest/webhook"


@dataclass
class Stack:
    """One `python -m bot run` with its ports, secrets and run log."""
    run: runtime.Managed
    ports: dict[str, int]
    secrets: dict[str, str]
    var_dir: Path
    rasa_ports: list[int] = field(default_factory=list)

    def base(self, name: str, port: int | None = None) -> str:
        return f"http://127.0.0.1:{port or self.ports[name]}"

    def post(self, text: str, sender: str, port: int | None = None, timeout: float = 120) -> requests.Response:
        """A chat message through the web page server, or straight to the Rasa server on port."""
        base = self.base("RASA_PORT", port) if port else self.base("WEB_PORT")
        return requests.post(base + REST, json={"sender": sender, "message": text}, timeout=timeout)

    def send(self, text: str, sender: str, port: int | None = None) -> str:
        resp = self.post(text, sender, port)
        assert resp.status_code == 200, (text, resp.status_code, resp.text[:300])
        return texts(resp.json())

    def tracker(self, sender: str, port: int | None = None) -> dict:
        resp = requests.get(f"{self.base('RASA_PORT', port)}/conversations/{sender}/tracker",
                            params={"token": self.secrets["RASA_AUTH_TOKEN"]}, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def log(self) -> str:
        return (self.var_dir / "run.log").read_text(errors="replace")

    def kill_and_wait_back(self, module: str, health_url: str, port: int | None = None) -> tuple[int, int]:
        """SIGKILL the child running `module` (on port); wait until another one is healthy."""
        old = child_running(self.run.proc.pid, module, port)
        assert old, (module, port)
        os.kill(old, signal.SIGKILL)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            assert self.run.proc.poll() is None, f"python -m bot run stopped:\n{self.log()[-3000:]}"
            new = child_running(self.run.proc.pid, module, port)
            if new not in (None, old) and healthy(health_url):
                return old, new
            time.sleep(0.5)
        raise AssertionError(f"{module} not back:\n{self.log()[-3000:]}")


def healthy(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def start_stack(var_dir: Path, directory_db_url: str, **env: str) -> Stack:
    ports = {name: runtime.free_port() for name in ("RASA_PORT", "ACTION_PORT", "WEB_PORT")}
    secret_values = {"RASA_AUTH_TOKEN": secrets.token_hex(16), "ACTION_SERVER_TOKEN": secrets.token_hex(32),
                     "TWILIO_AUTH_TOKEN": secrets.token_hex(16), "SMS_SENDER_KEY": secrets.token_hex(32)}
    settings = {"CARE_VAR_DIR": str(var_dir), "DIRECTORY_DB_URL": directory_db_url,
                "CHANNEL_DB_URL": f"sqlite:///{var_dir / 'channels.db'}", "SMS_PUBLIC_URL": "",
                "ACTION_HOST": "", "ACTION_ENDPOINT_URL": "", "TRACKER_STORE_URL": "", "LOCK_STORE_URL": "",
                "RASA_SERVERS": "1", **secret_values, **{k: str(v) for k, v in ports.items()}}
    full_env = runtime.base_env(**{**settings, **env})
    run = runtime.Managed("python -m bot run", [str(runtime.VENV_BIN / "python"), "-m", "bot", "run"],
                          f"http://127.0.0.1:{ports['WEB_PORT']}/healthz", full_env, var_dir / "run.log")
    run.start()
    servers = int(full_env["RASA_SERVERS"])
    stack = Stack(run, ports, secret_values, var_dir,
                  rasa_ports=[ports["RASA_PORT"] + i for i in range(servers)])
    try:
        run.wait_healthy(600)
        for url in [f"http://127.0.0.1:{p}/" for p in stack.rasa_ports] + \
                   [f"http://127.0.0.1:{ports['ACTION_PORT']}/health"]:
            runtime.Managed("server", [], url, full_env, var_dir / "run.log", proc=run.proc).wait_healthy(600)
    except BaseException:
        run.stop(timeout=30)
        raise
    return stack


def wait_until(condition, what: str, stack: Stack, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited too long for {what}:\n{stack.log()[-3000:]}"
        assert stack.run.proc.poll() is None, f"python -m bot run stopped:\n{stack.log()[-3000:]}"
        time.sleep(0.5)


def user_texts(tracker: dict) -> list[str]:
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


class TestOneRasaServer:
    """The default: one Rasa server, conversations in SQLite."""

    @pytest.fixture(scope="class")
    def stack(self, tmp_path_factory):
        var_dir = tmp_path_factory.mktemp("supervised")
        directory_db_url = f"sqlite:///{var_dir / 'directory.db'}"
        load(SERVICES_DIRECTORY, engine_for(directory_db_url))
        stack = start_stack(var_dir, directory_db_url)
        yield stack
        stack.run.stop(timeout=30)

    def test_no_secret_is_on_any_command_line(self, stack):
        pids = [stack.run.proc.pid, *descendants(stack.run.proc.pid)]
        modules = {argv[argv.index("-m") + 1] for argv in map(cmdline, pids) if "-m" in argv}
        assert {"bot", "bot.action_server", "bot.rasa_server", "bot.web"} <= modules, modules
        for pid in pids:
            line = " ".join(cmdline(pid))
            for name, value in stack.secrets.items():
                assert value not in line, f"{name} on the command line of {line[:120]}"
        # Rasa's endpoints file names the action server's token, and holds no secret of its own.
        endpoints = stack.var_dir / "endpoints.yml"
        assert "Bearer ${ACTION_SERVER_TOKEN}" in endpoints.read_text()
        assert stack.secrets["ACTION_SERVER_TOKEN"] not in endpoints.read_text()
        assert stat.S_IMODE(endpoints.stat().st_mode) == 0o600

    def test_the_rasa_api_token_still_protects_the_api(self, stack):
        sender = new_sender()
        stack.send("hello", sender)
        base = stack.base("RASA_PORT")
        assert requests.get(f"{base}/conversations/{sender}/tracker", timeout=30).status_code == 401
        assert stack.tracker(sender)["sender_id"] == sender

    def test_the_action_server_is_on_loopback_only_and_wants_the_token_rasa_sends(self, stack):
        port = stack.ports["ACTION_PORT"]
        assert listening_addresses(port) == {"127.0.0.1"}
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://{non_loopback_address()}:{port}/health", timeout=5)
        call = {"next_action": "action_triage", "sender_id": "x", "version": "3.6.21",
                "tracker": {"sender_id": "x", "slots": {}, "latest_message": {}, "events": []}, "domain": {}}
        assert requests.post(f"{stack.base('ACTION_PORT')}/webhook", json=call, timeout=30).status_code == 401
        # Rasa's own action calls carry it: the triage action runs and records its outcome.
        sender = new_sender()
        stack.send("I have a sore throat", sender)
        assert stack.tracker(sender)["slots"]["urgency"] == "self_care"

    def test_a_killed_action_server_is_restarted(self, stack):
        stack.kill_and_wait_back("bot.action_server", f"{stack.base('ACTION_PORT')}/health")
        log = stack.log()
        assert "action server stopped unexpectedly (killed by SIGKILL); restarting it in 1 s" in log, log[-2000:]
        assert "action server is up again" in log or "action server restarted" in log
        sender = new_sender()
        stack.send("I have a sore throat", sender)
        assert stack.tracker(sender)["slots"]["urgency"] == "self_care"

    def test_a_killed_rasa_server_is_restarted_and_the_conversation_carries_on(self, stack):
        sender = new_sender()
        assert PLACE_QUESTION in stack.send("I've sprained my ankle", sender)
        old = child_running(stack.run.proc.pid, "bot.rasa_server")
        os.kill(old, signal.SIGKILL)
        # Down or back, a red flag through the web page gets 999 first.
        resp = stack.post("crushing chest pain", new_sender())
        assert texts(resp.json()).startswith("Call 999 now"), resp.text[:300]
        wait_until(lambda: child_running(stack.run.proc.pid, "bot.rasa_server") not in (None, old)
                   and healthy(stack.base("RASA_PORT") + "/"), "the Rasa server back", stack)
        reply = stack.send("Northwich", sender)
        assert "Minor Injuries" in reply or "Urgent Treatment" in reply, reply
        slots = stack.tracker(sender)["slots"]
        assert slots["care_community"] == "northwich" and slots["urgency"] == "urgent", slots
        log = stack.log()
        assert "Rasa server stopped unexpectedly (killed by SIGKILL); restarting it in 1 s" in log, log[-2000:]

    def test_a_killed_web_page_server_is_restarted(self, stack):
        stack.kill_and_wait_back("bot.web", f"{stack.base('WEB_PORT')}/healthz")
        assert "web chat page stopped unexpectedly (killed by SIGKILL)" in stack.log()
        assert "find the right place" in stack.send("hello", new_sender())

    def test_the_log_says_why_and_nothing_a_resident_wrote(self, stack):
        log = stack.log() + (stack.var_dir / "logs" / "web.log").read_text()
        for line in log.splitlines():
            if "stopped unexpectedly" in line:
                assert "Its log: " in line and "crash 1 in a row" in line, line
        for text in ("sore throat", "sprained", "Northwich", "chest pain"):
            assert text not in log


class TestTwoRasaServers:
    """RASA_SERVERS=2 on PostgreSQL (conversations, directory) and Redis (locks)."""

    @pytest.fixture(scope="class")
    def stack(self, tmp_path_factory):
        _services_or_skip()
        suffix = secrets.token_hex(4)
        db_name, key_prefix = f"care_sv_{suffix}", f"caresv{suffix}"
        _admin_sql((f'CREATE DATABASE "{db_name}"', ()))
        db_url = make_url(POSTGRES).set(database=db_name).render_as_string(hide_password=False)
        try:
            engine = engine_for(db_url)
            load(SERVICES_DIRECTORY, engine)
            engine.dispose()
            # A ticket of a killed server expires after 10 s (Rasa's default 60 s would hold its
            # conversation's next message longer than the REST channel waits: docs/deployment.md).
            stack = start_stack(tmp_path_factory.mktemp("supervised-2"), db_url, TRACKER_STORE_URL=db_url,
                                LOCK_STORE_URL=f"{REDIS}?key_prefix={key_prefix}", RASA_SERVERS="2",
                                CHANNEL_DB_URL=db_url, TICKET_LOCK_LIFETIME="10")
            try:
                yield stack
            finally:
                stack.run.stop(timeout=30)
        finally:
            _admin_sql(("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db_name,)),
                       (f'DROP DATABASE IF EXISTS "{db_name}"', ()))
            import redis

            red = redis.Redis.from_url(REDIS)
            for key in red.scan_iter(f"{key_prefix}:*"):
                red.delete(key)

    def test_killing_one_server_loses_no_conversation_and_only_messages_in_flight(self, stack):
        first, second = stack.rasa_ports
        senders = [new_sender() for _ in range(4)]
        for sender in senders:
            assert PLACE_QUESTION in stack.send("I've sprained my ankle", sender)
            stack.send("Northwich", sender)
        static = ["what can you do?", "are you a real person or a bot?", "thanks"]  # always answered
        results: dict[str, list[tuple[str, int, str]]] = {sender: [] for sender in senders}
        stop = threading.Event()

        def talk(sender: str) -> None:
            i = 0
            while not stop.is_set():
                text = static[i % len(static)]
                try:
                    resp = stack.post(text, sender)
                    results[sender].append((text, resp.status_code, texts(resp.json())))
                except (requests.RequestException, ValueError) as exc:
                    results[sender].append((text, -1, repr(exc)))
                i += 1

        threads = [threading.Thread(target=talk, args=(sender,)) for sender in senders]
        for thread in threads:
            thread.start()
        try:
            wait_until(lambda: min(len(r) for r in results.values()) >= 3, "messages before the kill", stack)
            stack.kill_and_wait_back("bot.rasa_server", f"{stack.base('RASA_PORT', second)}/", port=second)
            web_log = stack.var_dir / "logs" / "web.log"
            wait_until(lambda: f"Rasa server http://127.0.0.1:{second} answers again" in web_log.read_text(),
                       "the web page server to send to it again", stack)
            answered_before = {sender: len(r) for sender, r in results.items()}
            wait_until(lambda: min(len(results[s]) - answered_before[s] for s in senders) >= 4,
                       "messages after it is back", stack)
        finally:
            stop.set()
            for thread in threads:
                thread.join(180)

        failed = [(sender, text, status) for sender, r in results.items() for text, status, _ in r if status != 200]
        assert len(failed) <= len(senders), failed  # at most the one each resident had in flight
        for _, status, reply in (item for r in results.values() for item in r if item[1] != 200):
            assert status == 503 and "111" in reply and "999" in reply, reply
        for sender in senders:
            tracker = stack.tracker(sender, first)
            kept = user_texts(tracker)[2:]
            answered = [text for text, status, _ in results[sender] if status == 200]
            it = iter(kept)  # every answered message is in the conversation, in order
            assert all(text in it for text in answered), (answered, kept)
            assert tracker["slots"]["care_community"] == "northwich"
            assert stack.tracker(sender, second)["events"] == tracker["events"]
        log = stack.log()
        assert f"Rasa server on port {second} stopped unexpectedly (killed by SIGKILL)" in log, log[-2000:]
        web = (stack.var_dir / "logs" / "web.log").read_text()
        assert f"Rasa server http://127.0.0.1:{second} is down" in web
        assert PLACE_QUESTION not in stack.send("I need a dentist", senders[0], port=second)
