"""Rasa's SQL tracker store with each message's SQL made cheap: same table, same rows, same answers.

Rasa 3.6's SQLTrackerStore reads and writes through the SQLAlchemy ORM: every event is a
separate flushed INSERT, each with its statement's cache key worked out again, and with SQLite
every read and write opens a new database connection (SQLAlchemy 1.4 gives file databases no
pool). Under load that was a quarter of the Rasa server's CPU (py-spy; benchmarks/RESULTS.md).

This subclass keeps Rasa's `events` table, its columns, its JSON and its rules (a conversation
is read from its latest `session_started` event; a save appends the events the database does
not have yet), and changes only how the SQL is sent:
- the statements are built once with SQLAlchemy Core and reused;
- a turn's new events go in one executemany INSERT, in one transaction;
- SQLite gets a connection pool and write-ahead logging (WAL). WAL keeps `synchronous=FULL`,
  so a committed turn survives a power cut as before; readers (the report, the purge) no longer
  block the assistant's writes.

Everything else (keys, the report and purge's own readers in bot/tracker_db.py, PostgreSQL's
pool settings, POSTGRESQL_SCHEMA) is Rasa's. endpoints.yml names it as
`type: bot.tracker_store.CareSQLTrackerStore`.
"""
from __future__ import annotations

import json
import os
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import POSTGRESQL_SCHEMA, SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # durable: each commit is on disk when it returns
        cursor.execute("PRAGMA busy_timeout=5000")  # another process writing: wait, do not fail
    finally:
        cursor.close()


class CareSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore (same table and behaviour) with prepared Core statements and pooled SQLite."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=8,
                                           connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        events = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        # The timestamp of the conversation's latest session start (NULL: it has none).
        session_start = (sa.select(sa.func.max(events.c.timestamp))
                         .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
                         .scalar_subquery())
        in_session = sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
        self._select_all = sa.select(events.c.data).where(events.c.sender_id == sender).order_by(events.c.id)
        self._select_session = (sa.select(events.c.data).where(events.c.sender_id == sender, in_session)
                                .order_by(events.c.id))
        self._count_session = (sa.select(sa.func.count()).select_from(events)
                               .where(events.c.sender_id == sender, in_session))
        self._insert = events.insert()

    def _check_schema(self) -> None:
        # Rasa checks POSTGRESQL_SCHEMA exists before each use of the database; so do we, its way.
        if os.environ.get(POSTGRESQL_SCHEMA):
            with self.session_scope():
                pass

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        self._check_schema()
        query = self._select_all if fetch_events_from_all_sessions else self._select_session
        with self.engine.connect() as conn:
            rows = conn.execute(query, {"sender_id": sender_id}).scalars().all()
        if not (self.domain and rows):
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row) for row in rows], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        self._check_schema()
        with self.engine.begin() as conn:
            stored = conn.execute(self._count_session, {"sender_id": tracker.sender_id}).scalar_one()
            rows = []
            for event in list(tracker.events)[stored:]:
                data = event.as_dict()
                rows.append({
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                })
            if rows:
                conn.execute(self._insert, rows)
