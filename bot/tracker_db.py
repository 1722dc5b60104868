"""Find and open the conversation store (Rasa's SQL tracker store) from outside Rasa.

The privacy purge and the commissioners' report must read the database the running assistant
writes, or the purge would delete nothing while conversations pile up elsewhere. In order:
1. an explicit URL (the commands' `--db`);
2. TRACKER_STORE_URL, which `python -m bot run` gives to Rasa (bot/runtime.py);
3. the tracker store in var/endpoints.yml, which the last `python -m bot run` wrote (so a cron
   job without the service's environment still finds the right database);
4. the embedded SQLite file var/tracker.db.

Importing Rasa takes seconds, so Rasa's `events` table is described here with SQLAlchemy Core,
column for column.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine
from sqlalchemy.engine import URL, Engine, make_url

from bot.paths import ROOT, VAR
from bot.runtime import TRACKER_STORE_TYPE, TRACKER_STORE_URL_ENV

# Rasa's SQL store, and ours (bot/tracker_store.py: the same table, written the same way).
SQL_STORE_TYPES = {"sql", TRACKER_STORE_TYPE.lower()}
POSTGRESQL_SCHEMA_ENV = "POSTGRESQL_SCHEMA"  # Rasa's: a PostgreSQL schema for the events table

metadata = MetaData()
# Rasa 3.6 SQLTrackerStore.SQLEvent: one row per event; `data` is the event as JSON.
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


class TrackerStoreError(RuntimeError):
    """The conversation store cannot be found or is not an SQL database."""


@dataclass(frozen=True)
class TrackerStore:
    url: URL
    source: str  # where the setting came from, said to the operator

    def describe(self) -> str:
        """The URL with any password hidden, and where it came from."""
        return f"{self.url.render_as_string(hide_password=True)} ({self.source})"


def _expand(value: object) -> object:
    """Rasa's ${VAR} substitution in endpoint files."""
    if isinstance(value, str):
        return re.sub(r"\$\{(\w+)\}", lambda m: os.environ.get(m.group(1), ""), value)
    return value


def url_from_endpoint(config: dict) -> URL:
    """SQL tracker store settings (type: SQL or ours, dialect, url, port, db, ...) as a URL.

    Mirrors SQLTrackerStore.get_db_url: a `url` with "://" is a whole database URL; otherwise it
    is the host. A relative SQLite path is relative to the repository, where Rasa runs.
    """
    config = {k: _expand(v) for k, v in config.items()}
    kind = str(config.get("type") or "").lower()
    if kind not in SQL_STORE_TYPES:
        raise TrackerStoreError(f"the tracker store is type {config.get('type')!r}, not SQL: pass --db URL")
    host = config.get("url") or config.get("host")
    if host and "://" in str(host):
        return make_url(str(host))
    dialect = str(config.get("dialect") or "sqlite")
    database = str(config.get("db") or "rasa.db")
    if dialect == "sqlite":
        path = Path(database)
        return make_url(f"sqlite:///{path if path.is_absolute() else ROOT / path}")
    port = config.get("port")
    return URL.create(dialect, username=config.get("username"), password=config.get("password"),
                      host=str(host) if host else None, port=int(port) if port else None,
                      database=database, query=config.get("query") or {})


def find_tracker_store(url: str | None = None) -> TrackerStore:
    """The conversation store the assistant uses (see the module docstring for the order)."""
    if url:
        return TrackerStore(make_url(url), "from --db")
    from_env = os.environ.get(TRACKER_STORE_URL_ENV)
    if from_env:
        parsed = make_url(from_env)
        if parsed.get_backend_name() != "sqlite":  # Rasa's own option, not a driver argument
            parsed = parsed.difference_update_query(["login_db"])
        return TrackerStore(parsed, f"from {TRACKER_STORE_URL_ENV}")
    endpoints = VAR / "endpoints.yml"
    if endpoints.exists():
        try:
            config = (yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}).get("tracker_store")
        except (OSError, yaml.YAMLError) as exc:
            raise TrackerStoreError(f"cannot read {endpoints}: {exc}") from exc
        if config:
            return TrackerStore(url_from_endpoint(config), f"from {endpoints}")
    return TrackerStore(make_url(f"sqlite:///{VAR / 'tracker.db'}"), "the default")


def open_engine(store: TrackerStore) -> Engine:
    """An engine on the store. A missing SQLite file is an error, not a new empty database:
    an empty purge or report would hide that the commands looked in the wrong place."""
    url = store.url
    kwargs: dict = {"future": True}
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or not Path(url.database).exists():
            raise TrackerStoreError(f"no conversation store at {store.describe()}: set "
                                    f"{TRACKER_STORE_URL_ENV} or pass --db URL")
    elif url.get_backend_name() == "postgresql" and os.environ.get(POSTGRESQL_SCHEMA_ENV):
        kwargs["connect_args"] = {"options": f"-csearch_path={os.environ[POSTGRESQL_SCHEMA_ENV]}"}
    return create_engine(url, **kwargs)


def require_events_table(engine: Engine) -> None:
    """Rasa creates `events` when it first starts; before that there is nothing to read."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    try:
        present = inspect(engine).has_table("events")
    except SQLAlchemyError as exc:
        raise TrackerStoreError(f"cannot open the conversation store: {exc.__class__.__name__}") from exc
    if not present:
        raise TrackerStoreError("the conversation store has no `events` table (has the assistant run?)")
