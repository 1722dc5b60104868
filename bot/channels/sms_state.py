"""What the SMS channel remembers between webhooks, in a database several servers can share.

- `sms_opted_out`: senders who texted STOP (pseudonym only), so no reply goes to them until START.
- `sms_seen_message`: each Twilio MessageSid once, so a repeated webhook is answered once. The
  insert is atomic (primary key), so two servers receiving the same webhook cannot both answer.
- `sms_last_options`: the payloads of the numbered options last sent to a sender, so that a reply
  of "1" picks the first. Kept for an hour (the length of a conversation session).

No phone number and no message text is stored. The URL is CHANNEL_DB_URL (any SQLAlchemy URL,
e.g. postgresql://…), by default SQLite at var/channels.db. SQLAlchemy 1.4 with 2.0-style code.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from pathlib import Path

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, create_engine, delete, insert, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError

from bot.paths import VAR

DB_URL_ENV = "CHANNEL_DB_URL"
SEEN_KEPT_FOR = dt.timedelta(days=2)   # Twilio retries within minutes; two days is plenty
OPTIONS_KEPT_FOR = dt.timedelta(hours=1)
PRUNE_EVERY_SECONDS = 600

metadata = MetaData()
opted_out = Table(
    "sms_opted_out", metadata,
    Column("sender_id", String(80), primary_key=True),
    Column("opted_out_at", DateTime, nullable=False))
seen_message = Table(
    "sms_seen_message", metadata,
    Column("message_sid", String(64), primary_key=True),
    Column("seen_at", DateTime, nullable=False, index=True))
last_options = Table(
    "sms_last_options", metadata,
    Column("sender_id", String(80), primary_key=True),
    Column("payloads", Text, nullable=False),  # JSON list of button payloads
    Column("sent_at", DateTime, nullable=False, index=True))


def channel_db_url() -> str:
    return os.environ.get(DB_URL_ENV) or f"sqlite:///{VAR / 'channels.db'}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # naive UTC: same on SQLite and PostgreSQL


class SmsState:
    """The channel's tables. Tables are created on first use, so a database that is down at start
    does not stop the Rasa server (and the web chat) from starting."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.url = url or channel_db_url()
        self._engine = engine
        self._ready = False
        self._lock = threading.Lock()
        self._last_prune = 0.0

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                url = make_url(self.url)
                if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
                    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
                self._engine = create_engine(self.url, future=True, pool_pre_ping=True)
            if not self._ready:
                metadata.create_all(self._engine)
                self._ready = True
            return self._engine

    # --- repeated webhooks
    def claim_message(self, message_sid: str) -> bool:
        """True the first time a MessageSid is seen (answer it); False for a repeat."""
        now = _now()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(seen_message).values(message_sid=message_sid, seen_at=now))
        except IntegrityError:
            return False
        self._prune_now_and_then(now)
        return True

    def _prune_now_and_then(self, now: dt.datetime) -> None:
        if time.monotonic() - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = time.monotonic()
        with self.engine.begin() as conn:
            conn.execute(delete(seen_message).where(seen_message.c.seen_at < now - SEEN_KEPT_FOR))
            conn.execute(delete(last_options).where(last_options.c.sent_at < now - OPTIONS_KEPT_FOR))

    # --- STOP and START
    def is_opted_out(self, sender_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(opted_out.c.sender_id).where(opted_out.c.sender_id == sender_id)).first() \
                is not None

    def opt_out(self, sender_id: str) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(opted_out).values(sender_id=sender_id, opted_out_at=_now()))
                conn.execute(delete(last_options).where(last_options.c.sender_id == sender_id))
        except IntegrityError:
            pass  # already opted out

    def opt_in(self, sender_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(opted_out).where(opted_out.c.sender_id == sender_id))

    # --- numbered options
    def save_options(self, sender_id: str, payloads: list[str]) -> None:
        """The options just sent (an empty list forgets the previous ones)."""
        with self.engine.begin() as conn:
            if not payloads:
                conn.execute(delete(last_options).where(last_options.c.sender_id == sender_id))
                return
            values = {"payloads": json.dumps(payloads), "sent_at": _now()}
            changed = conn.execute(update(last_options).where(last_options.c.sender_id == sender_id)
                                   .values(**values)).rowcount
        if not changed:
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(last_options).values(sender_id=sender_id, **values))
            except IntegrityError:  # another server saved options for this sender meanwhile
                with self.engine.begin() as conn:
                    conn.execute(update(last_options).where(last_options.c.sender_id == sender_id)
                                 .values(**values))

    def options(self, sender_id: str) -> list[str]:
        with self.engine.connect() as conn:
            row = conn.execute(select(last_options.c.payloads, last_options.c.sent_at)
                               .where(last_options.c.sender_id == sender_id)).first()
        if row is None or row.sent_at < _now() - OPTIONS_KEPT_FOR:
            return []
        return list(json.loads(row.payloads))
