"""Questions the conversation asks of the directory."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory.models import Service


@dataclass(frozen=True)
class Place:
    name: str
    address: str | None
    phone: str | None


def find_services(engine: Engine, service_type: str, limit: int = 3) -> list[Place]:
    with Session(engine) as session:
        rows = session.execute(
            select(Service).where(Service.type == service_type).order_by(Service.name).limit(limit)
        ).scalars()
        return [Place(r.name, ", ".join(filter(None, [r.address, r.postcode])), r.phone) for r in rows]
