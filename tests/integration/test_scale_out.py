"""Scale-out on the real services: two Rasa servers and one action server sharing PostgreSQL (the
tracker store and the directory) and Redis (the lock store, bot.lock_store.AtomicRedisLockStore),
with the web page server as their load balancer. Needs PostgreSQL and Redis on 127.0.0.1 (skipped, with the reason, without them).

Starts each Rasa server once (about a minute each, in parallel), plus one restart.
"""
from __future__ import annotations

import os
import secrets
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests
from sqlalchemy.engine import make_url

from bot import runtime
from bot.directory.db import engine_for
from bot.directory.loader import load
from bot.paths import SERVICES_DIRECTORY
from tests.conftest import new_sender, texts

pytestmark = pytest.mark.integration

# A PostgreSQL role that may create databases (as in tests/bot/test_privacy.py), and a Redis.
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PLACE_QUESTION = "town, village or postcode"


def _admin_sql(*statements: tuple[str, tuple]) -> None:
    """Run statements on the `postgres` database, outside a transaction (CREATE/DROP DATABASE)."""
    import psycopg2

    conn = psycopg2.connect(POSTGRES, connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, params)
    finally:
        conn.close()


def _services_or_skip() -> None:
    try:
        _admin_sql(("SELECT 1", ()))
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL not reachable at {make_url(POSTGRES).render_as_string(hide_password=True)} "
                    f"({exc.__class__.__name__}; set TEST_POSTGRES_URL)")
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_timeout=5).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {REDIS} ({exc.__class__.__name__}; set TEST_REDIS_URL)")


@dataclass
class Cluster:
    servers: dict[str, runtime.Managed]
    urls: dict[str, str]
    web_url: str
    token: str
    db_url: str
    key_prefix: str
    extra: list[runtime.Managed] = field(default_factory=list)

    def send(self, server: str, text: str, sender: str) -> list[dict]:
        base = self.web_url if server == "web" else self.urls[server]
        resp = requests.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             timeout=120)
        assert resp.status_code == 200, (server, resp.status_code, resp.text[:300])
        return resp.json()

    def tracker(self, server: str, sender: str) -> dict:
        resp = requests.get(f"{self.urls[server]}/conversations/{sender}/tracker",
                            params={"token": self.token}, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def slots(self, server: str, sender: str) -> dict:
        return self.tracker(server, sender)["slots"]


def _start_all(procs: list[runtime.Managed], timeout: float = 600) -> None:
    for proc in procs:
        proc.start()
    with ThreadPoolExecutor(len(procs)) as pool:  # wait for all; the first failure is raised
        for future in [pool.submit(proc.wait_healthy, timeout) for proc in procs]:
            future.result()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    try:
        runtime.latest_model()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))
    _services_or_skip()
    suffix = secrets.token_hex(4)
    db_name, key_prefix = f"care_it_{suffix}", f"careit{suffix}"
    _admin_sql((f'CREATE DATABASE "{db_name}"', ()))
    db_url = make_url(POSTGRES).set(database=db_name).render_as_string(hide_password=False)
    tmp = tmp_path_factory.mktemp("scale-out")
    procs: list[runtime.Managed] = []
    try:
        # The directory in the same PostgreSQL database (its tables sit beside Rasa's `events`).
        engine = engine_for(db_url)
        load(SERVICES_DIRECTORY, engine)
        engine.dispose()
        token = secrets.token_hex(16)
        env = runtime.base_env(CARE_VAR_DIR=str(tmp), DIRECTORY_DB_URL=db_url, RASA_AUTH_TOKEN=token)
        action_port, web_port = runtime.free_port(), runtime.free_port()
        ports = {"A": runtime.free_port(), "B": runtime.free_port()}
        endpoints = runtime.write_endpoints(
            tmp / "endpoints.yml", action_port,
            tracker_store=runtime.tracker_store_config(db_url),
            lock_store=runtime.lock_store_config(f"{REDIS}?key_prefix={key_prefix}"))
        actions = runtime.action_server(action_port, env, tmp / "logs")
        servers = {name: runtime.rasa_server(port, endpoints, env, tmp / "logs", enable_api=True,
                                             auth_token=token, name=f"Rasa server {name}",
                                             log_name=f"rasa-{name}.log")
                   for name, port in ports.items()}
        web = runtime.web_server(web_port, ports["A"], env, tmp / "logs", more_rasa_ports=[ports["B"]])
        procs = [actions, *servers.values(), web]
        _start_all(procs)
        yield Cluster(servers=servers, urls={n: f"http://127.0.0.1:{p}" for n, p in ports.items()},
                      web_url=f"http://127.0.0.1:{web_port}", token=token, db_url=db_url,
                      key_prefix=key_prefix, extra=[actions, web])
    finally:
        for proc in reversed(procs):
            proc.stop()
        _admin_sql(("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db_name,)),
                   (f'DROP DATABASE IF EXISTS "{db_name}"', ()))
        import redis

        red = redis.Redis.from_url(REDIS)
        for key in red.scan_iter(f"{key_prefix}:*"):
            red.delete(key)


def _user_texts(tracker: dict) -> list[str]:
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def test_a_conversation_alternating_between_two_servers_stays_coherent(cluster):
    sender = new_sender()
    reply = texts(cluster.send("A", "I've sprained my ankle", sender))
    assert PLACE_QUESTION in reply, reply                       # A asks where
    reply = texts(cluster.send("B", "Northwich", sender))      # B knows what A asked
    assert "Minor Injuries" in reply or "Urgent Treatment" in reply, reply
    slots = cluster.slots("B", sender)
    assert slots["care_community"] == "northwich" and slots["urgency"] == "urgent", slots
    reply = texts(cluster.send("A", "I have a sore throat", sender))  # A knows what B learnt
    assert PLACE_QUESTION not in reply and "Pharmacy" in reply, reply
    a, b = cluster.tracker("A", sender), cluster.tracker("B", sender)
    assert a["events"] == b["events"], "both servers read one conversation from PostgreSQL"
    assert _user_texts(a) == ["I've sprained my ankle", "Northwich", "I have a sore throat"]
    assert a["slots"]["urgency"] == "self_care" and a["slots"]["care_community"] == "northwich"


def test_the_web_page_server_spreads_a_conversation_over_both_servers(cluster):
    """Round robin (tests/bot/web/test_load_balancer.py): one message to each server in turn."""
    sender = new_sender()
    reply = texts(cluster.send("web", "where is the nearest chemist", sender))
    assert PLACE_QUESTION in reply, reply
    reply = texts(cluster.send("web", "Crewe", sender))
    assert "Pharmacy" in reply or "pharmacy" in reply, reply
    assert cluster.slots("A", sender)["care_community"] == "crewe"
    assert cluster.slots("B", sender)["care_community"] == "crewe"


def test_two_servers_never_handle_one_conversation_at_once(cluster):
    """The same resident's messages reach both servers at the same moment (double sends, retries):
    the Redis lock store (bot/lock_store.py) makes all but one wait, so every message is kept and
    each is answered before the next one is read. (Rasa's in-memory lock store lost a message here,
    and Rasa's own RedisLockStore did too, in one run of four.)"""
    sender = new_sender()
    cluster.send("A", "hello", sender)
    static = ["what can you do?", "are you a real person or a bot?", "thanks"]  # always answered
    sent = 1
    for _ in range(2):
        batch = [(server, text) for text in static for server in ("A", "B")]
        with ThreadPoolExecutor(len(batch)) as pool:
            replies = list(pool.map(lambda args: cluster.send(*args, sender), batch))
        assert all(replies), replies
        sent += len(batch)
    events = cluster.tracker("B", sender)["events"]
    assert len(_user_texts({"events": events})) == sent
    # Each turn is whole: after a user message, the bot answers before the next user message.
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    for i, kind in enumerate(kinds):
        if kind == "user" and i + 1 < len(kinds):
            assert kinds[i + 1] == "bot", kinds
    assert kinds[-1] == "bot"


def test_a_killed_rasa_server_restarts_and_the_conversation_carries_on(cluster):
    sender = new_sender()
    assert PLACE_QUESTION in texts(cluster.send("A", "I've sprained my ankle", sender))
    cluster.send("A", "Northwich", sender)
    assert cluster.slots("A", sender)["care_community"] == "northwich"

    server_a = cluster.servers["A"]
    os.killpg(server_a.proc.pid, signal.SIGKILL)  # no clean shutdown
    server_a.proc.wait(30)
    assert not server_a.healthy()

    # While A is down: B carries the conversation on, and the web page server sends everything to B.
    reply = texts(cluster.send("B", "I have a sore throat", sender))
    assert PLACE_QUESTION not in reply and "Pharmacy" in reply, reply
    for _ in range(2):
        assert "Pharmacy" in texts(cluster.send("web", "where is the nearest pharmacy", sender))

    server_a.start()
    server_a.wait_healthy(600)
    slots = cluster.slots("A", sender)
    assert slots["care_community"] == "northwich" and slots["urgency"] == "self_care", slots
    reply = texts(cluster.send("A", "I need a dentist", sender))
    assert PLACE_QUESTION not in reply, reply  # the place is remembered after the restart
    assert cluster.slots("A", sender)["care_community"] == "northwich"
