"""The atomic Redis lock store (bot/lock_store.py) on a real Redis: two "servers" (two store
instances, each in its own thread and event loop) never hold one conversation's lock at once.
Skipped without Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379/0)."""
from __future__ import annotations

import asyncio
import os
import secrets
import threading

import pytest
import redis
from bot.lock_store import AtomicRedisLockStore
from bot.runtime import lock_store_config

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def prefix():
    try:
        red = redis.Redis.from_url(REDIS, socket_timeout=5)
        red.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS} ({exc.__class__.__name__}; set TEST_REDIS_URL)")
    key_prefix = f"locktest{secrets.token_hex(4)}"
    yield key_prefix
    for key in red.scan_iter(f"{key_prefix}:*"):
        red.delete(key)


def _store(cls, key_prefix: str):
    config = lock_store_config(f"{REDIS}?key_prefix={key_prefix}")
    config.pop("type")
    return cls(host=config.pop("url"), **config)


def _run_servers(cls, key_prefix: str, servers: int = 2, workers: int = 3, turns: int = 8) -> tuple[int, int]:
    """Each worker takes the lock of one conversation `turns` times and, holding it, does a
    read-wait-write increment of a counter. Returns (counter, expected)."""
    conversation = f"c-{secrets.token_hex(4)}"
    counter = f"{key_prefix}:counter"
    red = redis.Redis.from_url(REDIS)
    red.set(counter, 0)
    start = threading.Barrier(servers)

    def server() -> None:
        store = _store(cls, key_prefix)

        async def worker() -> None:
            for _ in range(turns):
                async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.005):
                    value = int(red.get(counter))
                    await asyncio.sleep(0.003)  # a turn takes time
                    red.set(counter, value + 1)

        async def main() -> None:
            await asyncio.gather(*(worker() for _ in range(workers)))

        start.wait()
        asyncio.run(main())

    threads = [threading.Thread(target=server) for _ in range(servers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return int(red.get(counter)), servers * workers * turns


def test_one_conversation_is_never_handled_by_two_servers_at_once(prefix):
    # With Rasa's own RedisLockStore in place of AtomicRedisLockStore, 3 to 39 of the 48 turns
    # overlapped in six runs (and lost tickets made some runs wait for the lock's lifetime).
    got, expected = _run_servers(AtomicRedisLockStore, prefix)
    assert got == expected, f"{expected - got} turns overlapped another server's turn"


def test_tickets_are_unique_across_servers(prefix):
    stores = [_store(AtomicRedisLockStore, prefix) for _ in range(2)]
    tickets: list[int] = []
    barrier = threading.Barrier(4)

    def issue(store) -> None:
        barrier.wait()
        for _ in range(50):
            tickets.append(store.issue_ticket("one-conversation", lock_lifetime=60))

    threads = [threading.Thread(target=issue, args=(stores[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(tickets) == list(range(200))  # Rasa numbers tickets from 0


def test_rasa_builds_it_from_the_endpoints_file(prefix):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    store = LockStore.create(EndpointConfig.from_dict(lock_store_config(f"{REDIS}?key_prefix={prefix}")))
    assert isinstance(store, AtomicRedisLockStore) and store.key_prefix == f"{prefix}:lock:"
    assert store.issue_ticket("x") == 0 and store.issue_ticket("x") == 1
    store.cleanup("x", 0)
    assert store.get_lock("x").now_serving == 1  # someone is waiting: the lock stays
    store.cleanup("x", 1)
    assert store.get_lock("x") is None
