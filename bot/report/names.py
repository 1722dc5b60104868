"""Care Community names and place names from the services directory, for the report.

The tracker's `place` slot can hold words a resident typed (a slot filled from free text before
it was checked), so the report shows a place only when the directory knows it in that Care
Community, and a postcode only as its district ("CW9"), never the full postcode.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.directory import models as m
from bot.directory.queries import normalise_postcode
from bot.directory.validation import normalise_name


@dataclass
class Directory:
    """What the report needs from the directory; empty when it cannot be read."""
    communities: dict[str, str] = field(default_factory=dict)       # id → name
    places: dict[tuple[str, str], str] = field(default_factory=dict)  # (community, key) → canonical
    districts: dict[str, set[str]] = field(default_factory=dict)      # community → postcode districts
    available: bool = False
    local: list[str] = field(default_factory=list)  # the Care Communities (not national services), by name

    def community(self, community_id: str | None) -> str:
        if not community_id:
            return "Not known"
        return self.communities.get(community_id, community_id)

    def short(self, community_id: str | None) -> str:
        """"BDP Care Community (Bollington, ...)" → "BDP", for chart labels."""
        name = self.community(community_id)
        return name.split(" (")[0].replace(" Care Community", "").strip() or name

    def place(self, community_id: str | None, value: object) -> str | None:
        """The directory's name for a place the resident was placed in, or None."""
        if not community_id or not isinstance(value, str) or not value.strip():
            return None
        code = normalise_postcode(value.strip())
        if code:
            district = code.split(" ")[0]
            return district if district in self.districts.get(community_id, ()) else None
        return self.places.get((community_id, normalise_name(value)))


def load_directory(engine: Engine | None) -> Directory:
    """Read the directory; a missing or unreadable one gives ids and no place names."""
    if engine is None:
        return Directory()
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(m.Community.id, m.Community.name, m.Community.borough)).all()
            communities = {row.id: row.name for row in rows}
            local = [row.id for row in sorted(rows, key=lambda r: r.name) if row.borough != "national"]
            places = {(row.community_id, normalise_name(row.canonical)): row.canonical
                      for row in conn.execute(select(m.PlaceName.community_id, m.PlaceName.canonical))}
            districts: dict[str, set[str]] = {}
            for row in conn.execute(select(m.PostcodeArea.community_id, m.PostcodeArea.code)):
                districts.setdefault(row.community_id, set()).add(row.code.split(" ")[0])
    except SQLAlchemyError:
        return Directory()
    return Directory(communities, places, districts, available=True, local=local)
