"""bot.tracker_store: Rasa loads it from endpoints.yml, and it reads and writes exactly as Rasa's own.

Each check runs on SQLite and on a fresh PostgreSQL database, against Rasa's SQLTrackerStore
on the same database: what one writes the other reads back event for event.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import warnings

import pytest
import yaml
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import create_engine, text

from bot import runtime
from bot.paths import ROOT
from bot.tracker_store import CareSQLTrackerStore
from tests.bot.conversations import Turn, domain, session

START = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("postgres_db").render_as_string(hide_password=False)


def stores(url: str) -> tuple[CareSQLTrackerStore, SQLTrackerStore]:
    """Ours, as Rasa builds it from endpoints.yml settings, and Rasa's own, on one database."""
    config = runtime.tracker_store_config(url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = TrackerStore.create(EndpointConfig.from_dict(config), domain())
        inner = built._tracker_store if isinstance(built, FailSafeTrackerStore) else built
        rasa_own = SQLTrackerStore(domain(), **{k: v for k, v in config.items() if k not in ("type", "url")},
                                   host=config.get("url"))
    assert type(inner) is CareSQLTrackerStore  # not Rasa's silent in-memory fallback
    return inner, rasa_own


def dicts(tracker: DialogueStateTracker | None) -> list[dict]:
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


def two_sessions() -> list:
    first = session(START, [Turn("sore throat", "describe_problem", {"urgency": "self_care"}),
                            Turn("Crewe", "inform_place", {"place": "Crewe"})])
    second = session(START + dt.timedelta(hours=3), [Turn("I need a dentist", "find_service")],
                     carried={"place": "Crewe"})
    return first + second


def test_endpoints_yml_and_the_runtime_name_this_store():
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert endpoints["tracker_store"]["type"] == runtime.TRACKER_STORE_TYPE
    module, name = runtime.TRACKER_STORE_TYPE.rsplit(".", 1)
    assert f"bot.tracker_store.{name}" == f"{module}.{CareSQLTrackerStore.__name__}"


def test_what_ours_writes_rasa_reads_and_the_other_way(database_url):
    ours, rasa_own = stores(database_url)
    events = two_sessions()
    tracker = DialogueStateTracker.from_events("ours-writes", events, slots=domain().slots)
    asyncio.run(ours.save(tracker))
    # The latest session only, and every session, as Rasa reads them.
    assert dicts(asyncio.run(ours.retrieve("ours-writes"))) == dicts(asyncio.run(rasa_own.retrieve("ours-writes")))
    assert dicts(asyncio.run(ours.retrieve_full_tracker("ours-writes"))) == [e.as_dict() for e in events]
    latest = dicts(asyncio.run(ours.retrieve("ours-writes")))
    assert latest[1]["event"] == SessionStarted.type_name and len(latest) < len(events)

    asyncio.run(rasa_own.save(DialogueStateTracker.from_events("rasa-writes", events, slots=domain().slots)))
    for sender in ("ours-writes", "rasa-writes"):
        assert dicts(asyncio.run(ours.retrieve_full_tracker(sender))) == \
            dicts(asyncio.run(rasa_own.retrieve_full_tracker(sender)))
    # The rows themselves: same columns, same values, apart from the row ids.
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = {sender: conn.execute(text("SELECT type_name, timestamp, intent_name, action_name, data FROM events "
                                          "WHERE sender_id = :s ORDER BY id"), {"s": sender}).all()
                for sender in ("ours-writes", "rasa-writes")}
    engine.dispose()
    assert rows["ours-writes"] == rows["rasa-writes"]
    assert any(row.intent_name == "find_service" for row in rows["ours-writes"])


def test_a_save_appends_only_the_new_events(database_url):
    ours, _ = stores(database_url)
    tracker = asyncio.run(ours.get_or_create_tracker("turns"))
    for number in range(3):
        tracker.update(UserUttered(f"message {number}", intent={"name": "greet", "confidence": 1.0}))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(SlotSet("place", f"town {number}"))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(ours.save(tracker))
        tracker = asyncio.run(ours.retrieve("turns"))
    texts = [e["text"] for e in dicts(tracker) if e["event"] == "user"]
    assert texts == ["message 0", "message 1", "message 2"]  # each once: nothing saved twice
    assert tracker.get_slot("place") == "town 2"
    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = 'turns'")).scalar_one()
    engine.dispose()
    assert stored == len(tracker.events)
    assert asyncio.run(ours.retrieve("nobody")) is None


def test_sqlite_is_in_write_ahead_mode_and_durable(tmp_path):
    ours, _ = stores(f"sqlite:///{tmp_path / 'tracker.db'}")
    asyncio.run(ours.save(DialogueStateTracker.from_events("wal", two_sessions(), slots=domain().slots)))
    with ours.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    # Another process (the report, the purge) reads while the store holds its connections.
    with sqlite3.connect(tmp_path / "tracker.db") as other:
        assert other.execute("SELECT count(*) FROM events WHERE sender_id = 'wal'").fetchone()[0] == len(two_sessions())


def test_the_report_and_purge_find_this_store_in_endpoints():
    from bot.tracker_db import url_from_endpoint

    config = runtime.tracker_store_config("postgresql://care@db.internal:5433/care")
    assert url_from_endpoint(config).render_as_string(hide_password=False) == \
        "postgresql://care@db.internal:5433/care"
