"""Retention: `python -m bot privacy purge` on real tracker stores written by Rasa itself.

SQLite is a temporary file; PostgreSQL is a fresh database made for this module and dropped at
the end (TEST_POSTGRES_URL, default the local server; skipped when there is none, as on a
machine with no PostgreSQL).
"""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from bot import runtime
from bot.cli import main
from bot.privacy import DEFAULT_RETENTION_DAYS, RetentionError, parse_age, purge, retention_days
from bot.tracker_db import TrackerStore, events, find_tracker_store, open_engine
from tests.bot.conversations import Turn, save, session, tracker_store

NOW = dt.datetime.now(dt.timezone.utc)


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


def problem(marker: str) -> Turn:
    return Turn(f"{marker} I have had a sore throat for 3 days, call me on 07700 900461", "describe_problem",
                {"urgency": "self_care", "recommended_service": "pharmacy"})


def fill(store) -> dict[str, str]:
    """Four residents: sender id → a marker written in their messages."""
    people = {name: f"MARKER-{uuid.uuid4().hex}" for name in ("old", "recent", "returning", "boundary")}
    save(store, "old-" + people["old"], session(days_ago(120), [problem(people["old"])] * 3))
    save(store, "recent-" + people["recent"], session(days_ago(5), [problem(people["recent"])]))
    # First talked 200 days ago, came back 10 days ago: kept whole, not cut in half.
    save(store, "sms-returning-" + people["returning"],
         session(days_ago(200), [problem(people["returning"])], channel="sms")
         + session(days_ago(10), [problem(people["returning"])], channel="sms",
                   carried={"urgency": "self_care", "recommended_service": "pharmacy"}))
    save(store, "boundary-" + people["boundary"], session(days_ago(89), [problem(people["boundary"])]))
    return people


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(events.c.sender_id, func.count()).group_by(events.c.sender_id)).all()
    return {sender.split("-MARKER")[0]: n for sender, n in rows}


@pytest.fixture
def sqlite_store(tmp_path):
    path = tmp_path / "tracker.db"
    store = tracker_store(dialect="sqlite", db=str(path))
    people = fill(store)
    store.engine.dispose()
    url = f"sqlite:///{path}"
    engine = open_engine(TrackerStore(make_url(url), "test"))
    yield url, engine, people, path
    engine.dispose()


@pytest.fixture
def postgres_store(postgres_db):
    store = tracker_store(dialect="postgresql", host=postgres_db.host, port=postgres_db.port or 5432,
                          username=postgres_db.username, password=postgres_db.password, db=postgres_db.database)
    people = fill(store)
    store.engine.dispose()
    engine = open_engine(TrackerStore(postgres_db, "test"))
    yield postgres_db.render_as_string(hide_password=False), engine, people
    with engine.begin() as conn:
        conn.execute(events.delete())
    engine.dispose()


# --- the retention period ----------------------------------------------------------------------

@pytest.mark.parametrize("text, days", [("90d", 90), ("13w", 91), (" 7D ", 7), ("1d", 1), ("52w", 364)])
def test_periods_are_days_or_weeks(text, days):
    assert parse_age(text) == dt.timedelta(days=days)


@pytest.mark.parametrize("text", ["", "90", "0d", "0w", "90x", "6m", "ninety days", "-5d", "9.5d", "d", "99999999d"])
def test_nonsense_periods_are_refused(text):
    with pytest.raises(RetentionError):
        parse_age(text)


def test_retention_defaults_to_90_days_and_follows_the_environment():
    assert DEFAULT_RETENTION_DAYS == 90
    assert retention_days({}) == 90
    assert retention_days({"CONVERSATION_RETENTION_DAYS": "30"}) == 30
    for bad in ("thirty", "0", "-1", "30d"):
        with pytest.raises(RetentionError):
            retention_days({"CONVERSATION_RETENTION_DAYS": bad})


# --- purging -----------------------------------------------------------------------------------

def check_purge(engine) -> None:
    before = counts(engine)
    assert set(before) == {"old", "recent", "sms-returning", "boundary"}
    dry = purge(engine, dt.timedelta(days=90), dry_run=True)
    assert (dry.conversations, dry.events) == (1, before["old"])
    assert counts(engine) == before, "a dry run deleted something"
    result = purge(engine, dt.timedelta(days=90))
    assert (result.conversations, result.events) == (1, before["old"])
    after = counts(engine)
    # The returning resident's 200-day-old session stays: their last message is recent.
    assert after == {k: v for k, v in before.items() if k != "old"}
    again = purge(engine, dt.timedelta(days=90))
    assert (again.conversations, again.events) == (0, 0)


def test_purge_deletes_whole_conversations_past_retention_on_sqlite(sqlite_store):
    check_purge(sqlite_store[1])


def test_purge_deletes_whole_conversations_past_retention_on_postgresql(postgres_store):
    check_purge(postgres_store[1])


def test_purged_text_is_not_left_in_the_sqlite_file(sqlite_store):
    _, engine, people, path = sqlite_store
    assert people["old"].encode() in path.read_bytes()
    purge(engine, dt.timedelta(days=90))
    engine.dispose()
    content = path.read_bytes()
    assert people["old"].encode() not in content, "deleted message text is still readable in the file"
    assert people["recent"].encode() in content


def test_a_purge_that_fails_half_way_deletes_nothing(sqlite_store):
    _, engine, _, _ = sqlite_store
    before = counts(engine)

    def fail_after_delete(conn, clauseelement, multiparams, params, execution_options, result):
        if str(clauseelement).startswith("DELETE FROM events WHERE events.sender_id"):
            raise RuntimeError("the disk is full")

    event.listen(engine, "after_execute", fail_after_delete)
    with pytest.raises(RuntimeError):
        purge(engine, dt.timedelta(days=90))
    event.remove(engine, "after_execute", fail_after_delete)
    assert counts(engine) == before


def test_a_shorter_period_deletes_more(sqlite_store):
    _, engine, _, _ = sqlite_store
    result = purge(engine, dt.timedelta(days=7))
    assert result.conversations == 3
    assert set(counts(engine)) == {"recent"}


# --- the command -------------------------------------------------------------------------------

def run(*args: str, env: dict | None = None):
    return CliRunner(mix_stderr=False).invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.mark.parametrize("period", ["90x", "0d", "ninety", "6m"])
def test_the_command_refuses_a_nonsense_period_with_exit_2(sqlite_store, period):
    url, engine, _, _ = sqlite_store
    result = run("privacy", "purge", "--db", url, "--older-than", period)
    assert result.exit_code == 2
    assert "--older-than" in result.stderr and period in result.stderr
    assert "90d" in result.stderr or "1 day" in result.stderr
    assert len(counts(engine)) == 4


def test_the_command_purges_and_says_how_many_but_not_who(sqlite_store):
    url, engine, people, _ = sqlite_store
    old_events = counts(engine)["old"]
    dry = run("privacy", "purge", "--db", url, "--older-than", "13w", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert f"Would delete 1 conversation(s), {old_events} event(s)" in dry.stdout
    assert len(counts(engine)) == 4
    result = run("privacy", "purge", "--db", url, "--older-than", "90d")
    assert result.exit_code == 0, result.stderr
    assert f"Deleted 1 conversation(s), {old_events} event(s)" in result.stdout
    output = result.stdout + result.stderr + dry.stdout + dry.stderr
    for name, marker in people.items():
        assert marker not in output and name + "-" not in output
    assert "old" not in counts(engine)


def test_the_command_uses_the_configured_retention_by_default(sqlite_store):
    url, engine, _, _ = sqlite_store
    result = run("privacy", "purge", "--db", url, env={"CONVERSATION_RETENTION_DAYS": "7"})
    assert result.exit_code == 0, result.stderr
    assert "Deleted 3 conversation(s)" in result.stdout and "7 days, CONVERSATION_RETENTION_DAYS" in result.stdout
    bad = run("privacy", "purge", "--db", url, env={"CONVERSATION_RETENTION_DAYS": "a week"})
    assert bad.exit_code == 2 and "CONVERSATION_RETENTION_DAYS" in bad.stderr


def test_the_command_purges_postgresql(postgres_store):
    url, engine, _ = postgres_store
    result = run("privacy", "purge", "--db", url, "--older-than", "90d")
    assert result.exit_code == 0, result.stderr
    assert "Deleted 1 conversation(s)" in result.stdout
    assert "old" not in counts(engine)


def test_a_missing_store_is_an_error_not_a_new_empty_database(tmp_path):
    path = tmp_path / "nowhere.db"
    result = run("privacy", "purge", "--db", f"sqlite:///{path}", "--older-than", "90d")
    assert result.exit_code == 1 and "no conversation store" in result.stderr
    assert not path.exists()
    assert run("privacy", "purge", "--db", "not a url", "--older-than", "90d").exit_code == 2


# --- finding the store the assistant uses --------------------------------------------------------

def test_the_store_is_found_as_the_assistant_finds_it(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.tracker_db.VAR", tmp_path)
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    assert find_tracker_store().url == make_url(f"sqlite:///{tmp_path / 'tracker.db'}")
    # What `python -m bot run` writes for Rasa (bot/runtime.py), read back.
    pg = "postgresql://care:s3cret@db.example:5433/care?sslmode=require"
    runtime.write_endpoints(tmp_path / "endpoints.yml", 5055, tracker_store=runtime.tracker_store_config(pg))
    found = find_tracker_store()
    assert found.url == make_url(pg)
    assert "s3cret" not in found.describe() and "endpoints.yml" in found.describe()
    sqlite = tmp_path / "elsewhere.db"
    runtime.write_endpoints(tmp_path / "endpoints.yml", 5055,
                            tracker_store=runtime.tracker_store_config(f"sqlite:///{sqlite}"))
    assert find_tracker_store().url == make_url(f"sqlite:///{sqlite}")
    # The environment the assistant starts with wins over an older endpoints file; --db over both.
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://care@db2.example/care?login_db=postgres")
    assert find_tracker_store().url == make_url("postgresql://care@db2.example/care")
    assert find_tracker_store("sqlite:///x.db").url == make_url("sqlite:///x.db")
