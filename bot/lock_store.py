"""A Redis lock store that is safe with several Rasa servers: Rasa's own, with atomic updates.

Rasa 3.6's `RedisLockStore` changes a conversation's ticket lock by reading it, changing it in
Python and writing it back. Two servers that take a message for the same conversation in the same
few milliseconds both read "no tickets", both issue ticket 1, both think they hold the lock, both
answer, and one turn's events are lost (each server saves only the events it thinks are new).
`tests/integration/test_scale_out.py` saw it happen, and in `tests/bot/test_lock_store.py`'s
two-server test Rasa's store let 3 to 39 of 48 turns overlap (six runs; this one: none). Rasa's
issue #9213 reports it; the fix Rasa wrote (`ConcurrentRedisLockStore`, PR #11256) was reverted
from Rasa Open Source.

This class keeps Rasa's ticket-lock algorithm and data (the same keys and JSON, so Rasa's
`RedisLockStore` and this one can share a Redis) and makes each read-change-write one optimistic
Redis transaction (WATCH, MULTI, EXEC, retried when another server changed the lock meanwhile):
issuing a ticket, removing expired tickets, finishing a ticket, and deleting the lock when
nobody is waiting.

endpoints.yml: `lock_store: {type: bot.lock_store.AtomicRedisLockStore, url: host, port: 6379,
db: 0, password: ..., key_prefix: care}` (bot/runtime.py writes it from LOCK_STORE_URL).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# lock → (the lock to write, or None to write nothing; delete the key?; the value to return)
Change = Callable[[Optional[TicketLock]], tuple]


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's RedisLockStore, with every change to a conversation's lock done atomically."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its class path
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _transact(self, conversation_id: str, change: Change) -> Any:
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for attempt in range(1000):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, delete, result = change(lock)
                    pipe.multi()
                    if delete:
                        pipe.delete(key)
                    elif new_lock is not None:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:  # another server changed this lock meanwhile: again
                    logger.debug("Lock for a conversation changed meanwhile (attempt %d); retrying", attempt + 1)
                    continue
        raise LockError("Could not update the conversation lock: too much contention")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: Optional[TicketLock]) -> tuple[TicketLock, bool, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, False, lock.issue_ticket(lock_lifetime)

        try:
            return self._transact(conversation_id, change)
        except LockError:
            raise
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], bool, None]:
            if lock:
                lock.remove_expired_tickets()
            return lock, False, None

        self._transact(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], bool, None]:
            if lock:
                lock.remove_ticket_for(ticket_number)
            return lock, False, None

        self._transact(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish this ticket and, if no one else is waiting, delete the lock: in one step, so
        that a ticket another server issues meanwhile is never deleted with it."""
        def change(lock: Optional[TicketLock]) -> tuple[Optional[TicketLock], bool, None]:
            if lock is None:
                return None, False, None
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                return lock, False, None
            return None, True, None

        self._transact(conversation_id, change)
