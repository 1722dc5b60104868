"""The directory loader and query against a real SQLite database."""
from __future__ import annotations

from pathlib import Path

from bot.directory.db import engine_for
from bot.directory.loader import load
from bot.directory.queries import find_services


def test_load_then_find_by_type(tmp_path: Path):
    root = tmp_path / "dir"
    (root / "cheshire-west").mkdir(parents=True)
    (root / "cheshire-west" / "northwich.yml").write_text(
        "services:\n"
        "  - {id: a, name: Alpha Pharmacy, type: pharmacy, phone: '01632 960001'}\n"
        "  - {id: b, name: Beta Surgery, type: gp_practice}\n")
    engine = engine_for(f"sqlite:///{tmp_path / 'd.db'}")
    assert load(root, engine) == 2
    places = find_services(engine, "pharmacy")
    assert [p.name for p in places] == ["Alpha Pharmacy"]
    assert places[0].phone == "01632 960001"
    assert find_services(engine, "dentist") == []
