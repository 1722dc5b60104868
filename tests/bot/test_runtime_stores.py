"""TRACKER_STORE_URL / LOCK_STORE_URL → Rasa's endpoint settings, and what `python -m bot run`
refuses before it starts anything. (tests/integration/test_scale_out.py runs them for real.)"""
from __future__ import annotations

import stat

import pytest
import yaml
from click.testing import CliRunner

from bot import runtime
from bot.cli import main
from bot.paths import VAR


def test_no_url_is_the_embedded_sqlite_file():
    assert runtime.tracker_store_config(None) == {"type": runtime.TRACKER_STORE_TYPE, "dialect": "sqlite",
                                                  "db": str(VAR / "tracker.db")}
    assert runtime.lock_store_config(None) is None
    assert runtime.stores_from_env({}) == (runtime.tracker_store_config(None), None)


def test_sqlite_url():
    assert runtime.tracker_store_config("sqlite:////srv/care/tracker.db") == {
        "type": runtime.TRACKER_STORE_TYPE, "dialect": "sqlite", "db": "/srv/care/tracker.db"}
    with pytest.raises(ValueError):
        runtime.tracker_store_config("sqlite://")


def test_postgresql_url_becomes_rasas_fields():
    config = runtime.tracker_store_config(
        "postgresql://care:s%40cret@db.internal:5433/care?login_db=postgres&sslmode=require")
    assert config == {"type": runtime.TRACKER_STORE_TYPE, "dialect": "postgresql", "url": "db.internal", "db": "care",
                      "port": 5433, "username": "care", "password": "s@cret", "login_db": "postgres",
                      "query": {"sslmode": "require"}}
    assert runtime.tracker_store_config("postgresql+psycopg2://postgres@127.0.0.1/care") == {
        "type": runtime.TRACKER_STORE_TYPE, "dialect": "postgresql+psycopg2", "url": "127.0.0.1", "db": "care", "username": "postgres"}
    with pytest.raises(ValueError):
        runtime.tracker_store_config("postgresql://postgres@127.0.0.1:5432")


def test_redis_url_becomes_rasas_fields():
    assert runtime.lock_store_config("redis://127.0.0.1:6379/2?key_prefix=care") == {
        "type": "bot.lock_store.AtomicRedisLockStore", "url": "127.0.0.1", "port": 6379, "db": 2, "key_prefix": "care"}
    assert runtime.lock_store_config("rediss://:pw@cache.internal") == {
        "type": "bot.lock_store.AtomicRedisLockStore", "url": "cache.internal", "port": 6379, "db": 0, "password": "pw", "use_ssl": True}
    for bad in ("postgresql://x/y", "redis://127.0.0.1/0?key_prefix=care:1"):
        with pytest.raises(ValueError):
            runtime.lock_store_config(bad)


def test_endpoints_file_holds_the_stores_and_is_private(tmp_path):
    tracker, lock = runtime.stores_from_env({"TRACKER_STORE_URL": "postgresql://u:pw@h:5432/care",
                                             "LOCK_STORE_URL": "redis://h:6379/0"})
    path = runtime.write_endpoints(tmp_path / "endpoints.yml", 5055, tracker, lock)
    written = yaml.safe_load(path.read_text())
    assert written["tracker_store"]["password"] == "pw"
    assert written["lock_store"]["type"] == "bot.lock_store.AtomicRedisLockStore"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("env, message", [
    ({"RASA_SERVERS": "2"}, "LOCK_STORE_URL"),
    ({"RASA_SERVERS": "0"}, "RASA_SERVERS"),
    ({"RASA_SERVERS": "two"}, "RASA_SERVERS"),
    ({"TRACKER_STORE_URL": "postgresql://h:5432"}, "no database name"),
    ({"LOCK_STORE_URL": "memcached://h"}, "redis://"),
])
def test_run_refuses_bad_settings_before_starting_anything(env, message):
    endpoints = VAR / "endpoints.yml"
    before = endpoints.stat().st_mtime_ns if endpoints.exists() else None
    base = {"RASA_SERVERS": "", "TRACKER_STORE_URL": "", "LOCK_STORE_URL": ""}
    result = CliRunner().invoke(main, ["run"], env={**base, **env})
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert (endpoints.stat().st_mtime_ns if endpoints.exists() else None) == before  # nothing written
