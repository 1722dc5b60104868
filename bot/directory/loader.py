"""Publish the staff YAML: validate every file, then swap the data in one transaction.

A file with an error stops the load before the database is touched, and any failure while
writing rolls back, so residents are always answered from a complete directory: the old one
or the new one, never a mix.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory import models as m
from bot.directory.source import SourceFile
from bot.directory.validation import Report, minutes, normalise_name, validate_directory
from bot.directory.vocabulary import DAYS


class LoadError(Exception):
    """The files have errors; nothing was changed."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} error(s) in the directory files")
        self.report = report


@dataclass(frozen=True)
class LoadResult:
    version: str
    communities: int
    services: int
    report: Report


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _service_rows(svc: dict, source: SourceFile, index: int) -> m.Service:
    hours = svc.get("opening_hours", {})
    elig = svc.get("eligibility", {})
    bank = hours.get("bank_holidays", "closed")
    row = m.Service(
        id=svc["id"], community_id=source.community_id, organisation_id=svc.get("organisation"),
        name=svc["name"], type=svc["type"], description=svc.get("description"),
        status=svc.get("status", "active"), website=svc.get("website"), email=svc.get("email"),
        min_age=elig.get("min_age"), max_age=elig.get("max_age"), sex=elig.get("sex"),
        registered_patients_only=elig.get("registered_patients_only", False),
        eligibility_note=elig.get("note"), accessibility="\n".join(svc.get("accessibility", [])) or None,
        always_open=hours.get("always_open", False),
        bank_holidays=bank if isinstance(bank, str) else "hours",
        has_hours=bool(hours.get("always_open") or hours.get("regular")),
        last_verified=_date(svc.get("last_verified")),
        source_file=source.display, source_line=source.line(("services", index)),
    )
    if "location" in svc:
        loc = svc["location"]
        row.location = m.Location(name=loc.get("name"), address=loc["address"], town=loc.get("town"),
                                  postcode=loc["postcode"], latitude=loc.get("latitude"),
                                  longitude=loc.get("longitude"))
    row.phones = [m.Phone(position=i, number=p["number"], type=p.get("type", "voice"),
                          description=p.get("description")) for i, p in enumerate(svc.get("phones", []))]
    row.schedules = [
        m.Schedule(weekday=DAYS.index(day), opens=minutes(s["opens"]), closes=minutes(s["closes"]),
                   overnight=s.get("overnight", False), valid_from=_date(s.get("valid_from")),
                   valid_to=_date(s.get("valid_to")))
        for s in hours.get("regular", []) for day in s["days"]
    ]
    if isinstance(bank, list):
        row.schedules += [m.Schedule(weekday=0, opens=minutes(h["opens"]), closes=minutes(h["closes"]),
                                     bank_holiday=True) for h in bank]
    for exc in hours.get("exceptions", []):
        starts, ends = _date(exc["date"]), _date(exc.get("to") or exc["date"])
        if exc.get("closed"):
            row.exceptions.append(m.ScheduleException(starts=starts, ends=ends, closed=True, note=exc.get("note")))
        for h in exc.get("hours", []):
            row.exceptions.append(m.ScheduleException(starts=starts, ends=ends, closed=False,
                                                      opens=minutes(h["opens"]), closes=minutes(h["closes"]),
                                                      note=exc.get("note")))
    row.offers = [m.ServiceOffer(code=code) for code in svc.get("offers", [])]
    return row


def _rows(files: list[SourceFile]) -> list:
    rows: list = []
    organisations: dict[str, m.Organisation] = {}
    for source in files:
        data = source.data
        cid = source.community_id
        rows.append(m.Community(id=cid, name=data["name"], borough=data.get("borough") or "national"))
        rows += [m.CommunityNeighbour(community_id=cid, neighbour_id=n, rank=i)
                 for i, n in enumerate(data.get("neighbours", []))]
        for place in data.get("places", []):
            place = {"name": place} if isinstance(place, str) else place
            for name in [place["name"], *place.get("also_known_as", [])]:
                rows.append(m.PlaceName(key=normalise_name(name), name=name, canonical=place["name"],
                                        community_id=cid, ambiguous=place.get("ambiguous", False),
                                        note=place.get("note")))
        for code in data.get("postcodes", []):
            code = {"code": code} if isinstance(code, str) else code
            rows.append(m.PostcodeArea(code=code["code"], community_id=cid,
                                       ambiguous=code.get("ambiguous", False), note=code.get("note")))
        for org in data.get("organisations", []):
            organisations.setdefault(org["id"], m.Organisation(id=org["id"], name=org["name"],
                                                               website=org.get("website"),
                                                               description=org.get("description")))
        rows += [_service_rows(svc, source, i) for i, svc in enumerate(data.get("services", []))]
    return list(organisations.values()) + rows


def source_version(files: list[SourceFile]) -> str:
    digest = hashlib.sha256()
    for source in files:
        digest.update(source.display.encode())
        digest.update(source.path.read_bytes())
    return digest.hexdigest()[:16]


def create_schema(engine: Engine) -> None:
    m.Base.metadata.create_all(engine)


def load(path: Path, engine: Engine, today: dt.date | None = None) -> LoadResult:
    """Validate PATH; if it is free of errors, replace the live directory with it atomically."""
    report = validate_directory(path, today)
    if not report.ok:
        raise LoadError(report)
    rows = _rows(report.files)
    version = source_version(report.files)
    services = sum(isinstance(r, m.Service) for r in rows)
    create_schema(engine)
    with Session(engine) as session, session.begin():
        for table in m.TABLES_IN_DELETE_ORDER:
            session.execute(delete(table))
        session.add_all(rows)
        session.flush()
        session.merge(m.DirectoryVersion(id=1, version=version, services=services,
                                         loaded_at=dt.datetime.now(dt.timezone.utc)))
    return LoadResult(version, sum(isinstance(r, m.Community) for r in rows), services, report)
