"""Load the staff YAML files into the directory database in one transaction."""
from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory.models import Base, Service


def read_services(root: Path) -> list[dict]:
    rows = []
    for path in sorted(root.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        community = path.stem
        for svc in doc.get("services", []):
            rows.append({"community_id": community, **svc})
    return rows


def load(root: Path, engine: Engine) -> int:
    rows = read_services(root)
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        session.execute(delete(Service))
        session.add_all(Service(**row) for row in rows)
    return len(rows)
