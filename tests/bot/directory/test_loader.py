"""Publishing the directory: validate, then swap atomically (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from bot.directory import loader
from bot.directory import models as m
from bot.directory.loader import LoadError, load
from bot.directory.queries import find_services, resolve_place
from tests.bot.directory.conftest import BROKEN, VALID, write_billion_laughs, write_oversized

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def service_names(engine) -> set[str]:
    with Session(engine) as session:
        return set(session.execute(select(m.Service.name)).scalars())


def test_load_fills_every_table(sqlite_engine):
    result = load(VALID, sqlite_engine)
    assert result.services == 9 and result.communities == 3
    with Session(sqlite_engine) as session:
        assert session.execute(select(func.count()).select_from(m.PlaceName)).scalar() == 6
        surgery = session.get(m.Service, "alpha-surgery")
        assert surgery.location.postcode == "CW9 1AA"
        assert surgery.registered_patients_only
        assert len(surgery.schedules) == 10  # two sessions on five days
        assert [p.number for p in surgery.phones] == ["01632 960900"]
        night = session.get(m.Service, "alpha-night-pharmacy")
        assert {s.overnight for s in night.schedules} == {True}
        day = session.get(m.Service, "alpha-day-pharmacy")
        assert {o.code for o in day.offers} == {"pharmacy_first", "blood_pressure_check"}
        assert day.organisation_id == "chain"
        assert day.exceptions[0].opens == 9 * 60


def test_a_broken_file_leaves_the_previous_data_serving(sqlite_engine, valid_dir: Path):
    first = load(VALID, sqlite_engine)
    before = service_names(sqlite_engine)
    shutil.copy(BROKEN / "closes_before_opens.yml", valid_dir / "cheshire-west" / "alpha.yml")
    with pytest.raises(LoadError) as raised:
        load(valid_dir, sqlite_engine)
    assert raised.value.report.errors
    assert service_names(sqlite_engine) == before
    with Session(sqlite_engine) as session:
        assert session.get(m.DirectoryVersion, 1).version == first.version


@pytest.mark.parametrize("write_bad_file", [write_billion_laughs, write_oversized],
                         ids=["billion-laughs", "30-MB"])
def test_a_file_over_the_limits_leaves_the_previous_data_serving(sqlite_engine, valid_dir: Path, write_bad_file):
    first = load(VALID, sqlite_engine)
    before = service_names(sqlite_engine)
    write_bad_file(valid_dir / "cheshire-west" / "alpha.yml")
    with pytest.raises(LoadError) as raised:
        load(valid_dir, sqlite_engine)
    assert [(p.file.rsplit("/", 1)[-1], p.field) for p in raised.value.report.errors] == [("alpha.yml", "(file)")]
    assert service_names(sqlite_engine) == before
    with Session(sqlite_engine) as session:
        assert session.get(m.DirectoryVersion, 1).version == first.version


def test_cli_load_refuses_billion_laughs_at_its_line_and_says_nothing_changed(tmp_path: Path, valid_dir: Path):
    env_url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"DIRECTORY_DB_URL": env_url, "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "bot", "directory", "load", str(VALID)], env=env,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    write_billion_laughs(valid_dir / "cheshire-west" / "alpha.yml")
    bad = subprocess.run([sys.executable, "-m", "bot", "directory", "load", str(valid_dir)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert f"{valid_dir / 'cheshire-west' / 'alpha.yml'}:4: (file): '*lol0' repeats an earlier part" in bad.stdout
    assert "The live directory was not changed" in bad.stderr
    assert "Traceback" not in bad.stdout + bad.stderr
    assert "Alpha Surgery" in service_names(create_engine(env_url))


def test_a_failure_while_writing_rolls_back_to_the_previous_data(sqlite_engine, monkeypatch):
    load(VALID, sqlite_engine)
    before = service_names(sqlite_engine)
    real_rows = loader._rows

    def rows_with_a_clash(files):  # a duplicate primary key makes the database refuse mid-write
        rows = real_rows(files)
        return rows + [m.Community(id="alpha", name="Clash", borough="cheshire-west")]

    monkeypatch.setattr(loader, "_rows", rows_with_a_clash)
    with pytest.raises(Exception):
        load(VALID, sqlite_engine)
    assert service_names(sqlite_engine) == before
    assert resolve_place(sqlite_engine, "Alphaton").community_id == "alpha"


def test_cli_load_refuses_broken_files_and_says_nothing_changed(tmp_path: Path, valid_dir: Path):
    env_url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"DIRECTORY_DB_URL": env_url, "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "bot", "directory", "load", str(VALID)], env=env,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "Published 9 services" in ok.stdout
    shutil.copy(BROKEN / "unknown_service_type.yml", valid_dir / "cheshire-west" / "alpha.yml")
    bad = subprocess.run([sys.executable, "-m", "bot", "directory", "load", str(valid_dir)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "'chemist' is not allowed here" in bad.stdout
    assert "The live directory was not changed" in bad.stderr
    assert "Alpha Surgery" in service_names(create_engine(env_url))


@pytest.fixture
def postgres_engine():
    """A fresh PostgreSQL database on the local server, dropped afterwards."""
    name = f"directory_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    from bot.directory.db import engine_for

    engine = engine_for(f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_load_query_and_atomic_failure(postgres_engine, valid_dir: Path, monkeypatch):
    assert postgres_engine.dialect.name == "postgresql"
    load(VALID, postgres_engine)
    assert resolve_place(postgres_engine, "CW9 1AA").community_id == "alpha"
    assert [s.name for s in find_services(postgres_engine, "beta", "dentist").services] == ["Beta Dental Practice"]
    before = service_names(postgres_engine)
    shutil.copy(BROKEN / "overlapping_sessions.yml", valid_dir / "cheshire-west" / "alpha.yml")
    with pytest.raises(LoadError):
        load(valid_dir, postgres_engine)
    real_rows = loader._rows
    monkeypatch.setattr(loader, "_rows", lambda files: real_rows(files) + [
        m.Community(id="alpha", name="Clash", borough="cheshire-west")])
    with pytest.raises(Exception):
        load(VALID, postgres_engine)
    assert service_names(postgres_engine) == before


def test_a_pooled_reader_sees_a_reload_by_another_process(tmp_path: Path, valid_dir: Path):
    """The action server keeps SQLite connections in a pool; staff reload with `python -m bot directory load`."""
    from bot.directory.db import engine_for

    db = tmp_path / "live.db"
    url = f"sqlite:///{db}"
    reader = engine_for(url)
    assert reader.pool.__class__.__name__ == "QueuePool"
    load(VALID, create_engine(url, future=True))
    before = service_names(reader)  # the pool now holds an open connection
    assert "Alpha Surgery" in before
    alpha = valid_dir / "cheshire-west" / "alpha.yml"
    alpha.write_text(alpha.read_text().replace("name: Alpha Surgery", "name: Alpha Medical Centre"))
    loaded = subprocess.run([sys.executable, "-m", "bot", "directory", "load", str(valid_dir)],
                            env={**os.environ, "DIRECTORY_DB_URL": url},
                            capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    after = service_names(reader)
    assert "Alpha Medical Centre" in after and "Alpha Surgery" not in after


def test_searches_follow_each_publish_at_once(tmp_path: Path, valid_dir: Path):
    """Lookups are remembered per directory version: a publish that changes them is seen at once."""
    from bot.directory.db import engine_for

    url = f"sqlite:///{tmp_path / 'search.db'}"
    reader = engine_for(url)
    load(valid_dir, create_engine(url, future=True))

    def pharmacies() -> set[str]:
        return {s.name for s in find_services(reader, "alpha", "pharmacy", widen=False, limit=10).services}

    assert "Alpha Day Pharmacy" in pharmacies()
    assert pharmacies() == pharmacies()  # the second answer comes from the remembered lookup
    alpha = valid_dir / "cheshire-west" / "alpha.yml"
    alpha.write_text(alpha.read_text().replace("    name: Alpha Day Pharmacy\n    type: pharmacy\n",
                                               "    name: Alpha Day Pharmacy\n    type: dentist\n"))
    load(valid_dir, create_engine(url, future=True))
    assert "Alpha Day Pharmacy" not in pharmacies()
    alpha.write_text(alpha.read_text().replace("neighbours: [beta]", "neighbours: []"))
    load(valid_dir, create_engine(url, future=True))
    assert find_services(reader, "alpha", "gp_practice", limit=10).widened is False
