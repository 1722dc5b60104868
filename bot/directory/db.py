"""The directory database connection: SQLite under var/ by default, DIRECTORY_DB_URL otherwise."""
from __future__ import annotations

import os
from functools import lru_cache

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from bot.paths import VAR


def directory_db_url() -> str:
    """The URL in DIRECTORY_DB_URL, or the embedded SQLite file."""
    return os.environ.get("DIRECTORY_DB_URL") or f"sqlite:///{VAR / 'directory.db'}"


@lru_cache(maxsize=None)
def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process.

    A SQLite file gets a pool too: SQLAlchemy 1.4 opens a new connection for every session,
    and re-reading the schema on each one was a third of the action server's CPU. Pooled
    connections still see each reload, which replaces the rows in one transaction.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return create_engine(url, future=True, poolclass=QueuePool, pool_size=2, max_overflow=8,
                             connect_args={"check_same_thread": False})
    return create_engine(url, future=True, pool_pre_ping=True)


def get_engine() -> Engine:
    return engine_for(directory_db_url())
