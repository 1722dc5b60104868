"""Retention of conversations: how long they are kept, and deleting them after that.

What residents write is special category health data (UK GDPR), so conversations are kept only
as long as they are useful for safety reviews and the commissioners' report (docs/privacy.md).
`python -m bot privacy purge` deletes every conversation whose last event is older than the
retention period. A conversation goes whole or not at all: deleting only its old events would
leave a fragment that starts mid-way and could mislead a safety review.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import Engine

from bot.tracker_db import events

RETENTION_ENV = "CONVERSATION_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90  # docs/privacy.md says why; the operator may set a shorter period
MAX_DAYS = 36500

_AGE = re.compile(r"^\s*(\d{1,6})\s*([dw])\s*$", re.IGNORECASE)


class RetentionError(ValueError):
    """A retention period that makes no sense ("0d", "ninety", "90x")."""


def parse_age(value: str) -> dt.timedelta:
    """"90d" (days) or "13w" (weeks) → a timedelta of at least one day."""
    match = _AGE.match(str(value))
    if not match:
        raise RetentionError(f"{value!r} is not a period: use days or weeks, like 90d or 13w")
    days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
    if not 1 <= days <= MAX_DAYS:
        raise RetentionError(f"{value!r}: the period must be between 1 day and {MAX_DAYS} days")
    return dt.timedelta(days=days)


def retention_days(environ: dict[str, str] | None = None) -> int:
    """The configured retention: CONVERSATION_RETENTION_DAYS, or 90 days."""
    environ = os.environ if environ is None else environ
    raw = (environ.get(RETENTION_ENV) or "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise RetentionError(f"{RETENTION_ENV}={raw!r}: it must be a whole number of days, 1 or more")
    return int(raw)


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime  # conversations whose last event is before this went
    conversations: int
    events: int
    dry_run: bool


def _lock_for_purge(conn) -> None:
    """Hold off new events while counting and deleting, so that the counts are exact and no
    conversation gains an event between the two. Readers carry on; Rasa's writes wait."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE"))
    elif conn.dialect.name == "sqlite":
        # Deleted rows are overwritten with zeros, not left readable in the file's free pages.
        conn.exec_driver_sql("PRAGMA secure_delete = ON")


def purge(engine: Engine, older_than: dt.timedelta, dry_run: bool = False,
          now: dt.datetime | None = None) -> PurgeResult:
    """Delete, in one transaction, every conversation whose last event is before now - older_than."""
    cutoff = (now or dt.datetime.now(dt.timezone.utc)) - older_than
    stale = (select(events.c.sender_id).group_by(events.c.sender_id)
             .having(func.max(events.c.timestamp) < cutoff.timestamp()))
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            _lock_for_purge(conn)  # PRAGMA must come outside a transaction
            conn.commit()  # ends SQLAlchemy's own "autobegin"; pysqlite began nothing
        with conn.begin() as transaction:
            if conn.dialect.name == "sqlite":
                # Take SQLite's write lock now (pysqlite would only take it at the DELETE).
                conn.exec_driver_sql("DELETE FROM events WHERE 0")
            else:
                _lock_for_purge(conn)
            conversations = conn.scalar(select(func.count()).select_from(stale.subquery()))
            count = conn.scalar(select(func.count()).select_from(events)
                                .where(events.c.sender_id.in_(stale)))
            if not dry_run and count:
                deleted = conn.execute(delete(events).where(events.c.sender_id.in_(stale))).rowcount
                if deleted != count:  # cannot happen under the lock; never report a wrong figure
                    raise RuntimeError(f"purge counted {count} events but deleted {deleted}; rolled back")
            if dry_run:
                transaction.rollback()
    return PurgeResult(cutoff, conversations or 0, count or 0, dry_run)
