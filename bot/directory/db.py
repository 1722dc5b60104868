"""The directory database connection: SQLite under var/ by default, DIRECTORY_DB_URL otherwise."""
from __future__ import annotations

import os
from functools import lru_cache

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from bot.paths import VAR


def directory_db_url() -> str:
    """The URL in DIRECTORY_DB_URL, or the embedded SQLite file."""
    return os.environ.get("DIRECTORY_DB_URL") or f"sqlite:///{VAR / 'directory.db'}"


@lru_cache(maxsize=None)
def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process."""
    return create_engine(url, future=True, pool_pre_ping=True)


def get_engine() -> Engine:
    return engine_for(directory_db_url())
