"""The questions the conversation asks of the directory: a library API the actions call.

- resolve_place: a town (typos too), a full postcode or a district → a Care Community, or an
  explicit ambiguity (Willaston, CW10) for the conversation to ask about.
- find_services: places of a type or offering a service in a community, then its neighbours,
  with opening status at a given time and eligibility (age, sex) applied.

Every call reads the live database, so a `directory load` is seen at once. Place names, the
only thing kept in memory, are reloaded whenever the directory version changes.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory import models as m
from bot.directory.opening_hours import (LONDON, DatedException, OpeningRules, WeeklySession, day_word,
                                         hours_text, is_open, next_opening, opens_between,
                                         status_text)
from bot.directory.source import NATIONAL
from bot.directory.validation import normalise_name

FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])([A-Z]{2})$")
SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])$")
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)(?: ?([0-9])([A-Z]{2})?)?\b")
FUZZY_CUTOFF = 85  # rapidfuzz ratio (0-100) a misspelt place name must reach
MIN_FUZZY_LENGTH = 4  # shorter words only match exactly


# --- places --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CommunityOption:
    id: str
    name: str
    note: str | None = None


@dataclass(frozen=True)
class PlaceMatch:
    """found: one community; ambiguous: ask which; unknown: not in the directory."""
    status: str
    options: tuple[CommunityOption, ...] = ()
    place: str | None = None
    matched_by: str | None = None  # postcode, name, misspelling

    @property
    def community_id(self) -> str | None:
        return self.options[0].id if self.status == "found" else None


@dataclass
class _PlaceIndex:
    version: str | None = None
    names: dict[str, list[m.PlaceName]] = field(default_factory=dict)
    postcodes: dict[str, list[m.PostcodeArea]] = field(default_factory=dict)
    communities: dict[str, str] = field(default_factory=dict)


_index_lock = threading.Lock()
_indexes: dict[str, _PlaceIndex] = {}


# Built once: the version is read on every query (SQLAlchemy Core, no ORM work).
_VERSION = select(m.DirectoryVersion.__table__.c.version).where(m.DirectoryVersion.__table__.c.id == 1)


def directory_version(session: Session) -> str | None:
    """The published directory's version: it changes with every load that changes the files."""
    return session.execute(_VERSION).scalar()


def _place_index(engine: Engine) -> _PlaceIndex:
    key = str(engine.url)
    with Session(engine) as session:
        version = directory_version(session)
        cached = _indexes.get(key)
        if cached and cached.version == version:
            return cached
        index = _PlaceIndex(version=version)
        for row in session.execute(select(m.PlaceName)).scalars():
            index.names.setdefault(row.key, []).append(row)
        for row in session.execute(select(m.PostcodeArea)).scalars():
            index.postcodes.setdefault(row.code, []).append(row)
        index.communities = dict(session.execute(select(m.Community.id, m.Community.name)).all())
        session.expunge_all()
    with _index_lock:
        _indexes[key] = index
    return index


def _match(index: _PlaceIndex, rows: list, place: str, matched_by: str) -> PlaceMatch:
    seen: dict[str, CommunityOption] = {}
    for row in rows:
        seen.setdefault(row.community_id, CommunityOption(row.community_id, index.communities.get(row.community_id, row.community_id), row.note))
    options = tuple(sorted(seen.values(), key=lambda o: o.id))
    return PlaceMatch("found" if len(options) == 1 else "ambiguous", options, place, matched_by)


def normalise_postcode(text: str) -> str | None:
    """'cw9 5hr' → 'CW9 5HR'; 'cw9' → 'CW9'; 'cw10 1' → 'CW10 1'; anything else None."""
    compact = re.sub(r"\s+", "", text.upper())
    full = FULL_POSTCODE.match(compact)
    if full:
        return f"{full.group(1)} {full.group(2)}{full.group(3)}"
    sector = SECTOR.match(re.sub(r"\s+", " ", text.upper().strip()))
    if sector:
        return f"{sector.group(1)} {sector.group(2)}"
    return compact if DISTRICT.match(compact) and any(c.isdigit() for c in compact) else None


def _resolve_postcode(index: _PlaceIndex, code: str) -> PlaceMatch | None:
    parts = code.split(" ")
    district = parts[0]
    sector = f"{district} {parts[1][0]}" if len(parts) > 1 else None
    for candidate in (sector, district):
        if candidate and candidate in index.postcodes:
            return _match(index, index.postcodes[candidate], code, "postcode")
    return PlaceMatch("unknown", place=code, matched_by="postcode")


def _word_spans(words: list[str], longest: int = 3):
    for size in range(min(longest, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            yield " ".join(words[start:start + size])


SCAN_CUTOFF = 90  # stricter when scanning a whole message, where a near-miss may be another word
SCAN_MIN_LENGTH = 6


def resolve_place(engine: Engine, text: str, fuzzy: bool | str = True) -> PlaceMatch:
    """A town, village, suburb (misspellings allowed), postcode or district → a community.

    `fuzzy=False` matches names exactly; `fuzzy="scan"` is for a whole message: only longer words,
    and closer matches, count as misspellings.
    """
    index = _place_index(engine)
    cleaned = text.strip()
    code = normalise_postcode(cleaned)
    if code:
        return _resolve_postcode(index, code)
    for found in POSTCODE_IN_TEXT.finditer(cleaned.upper()):
        code = normalise_postcode(found.group(0))
        if code and code.split(" ")[0] in index.postcodes:
            return _resolve_postcode(index, code)
    key = normalise_name(cleaned)
    if key in index.names:
        return _match(index, index.names[key], index.names[key][0].canonical, "name")
    words = key.split()
    for span in _word_spans(words):
        if span in index.names:
            return _match(index, index.names[span], index.names[span][0].canonical, "name")
    best: tuple[float, str] | None = None
    cutoff, min_length = (SCAN_CUTOFF, SCAN_MIN_LENGTH) if fuzzy == "scan" else (FUZZY_CUTOFF, MIN_FUZZY_LENGTH)
    for span in _word_spans(words) if fuzzy else ():
        if len(span) < min_length:
            continue
        hit = process.extractOne(span, index.names.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit and (best is None or hit[1] > best[0]):
            best = (hit[1], hit[0])
    if best:
        rows = index.names[best[1]]
        return _match(index, rows, rows[0].canonical, "misspelling")
    return PlaceMatch("unknown", place=cleaned)


def community_name(engine: Engine, community_id: str) -> str | None:
    return _place_index(engine).communities.get(community_id)


# --- services ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PhoneNumber:
    number: str
    type: str
    description: str | None


@dataclass(frozen=True)
class ServiceInfo:
    id: str
    name: str
    type: str
    community_id: str
    address: str | None
    postcode: str | None
    phones: tuple[PhoneNumber, ...]
    website: str | None
    offers: tuple[str, ...]
    description: str | None
    registered_patients_only: bool
    eligibility_note: str | None
    accessibility: tuple[str, ...]
    open_now: bool | None  # None when hours are not listed
    status: str  # "Open now until 6pm"
    today_hours: str
    next_opening: dt.datetime | None


@dataclass(frozen=True)
class SearchResult:
    services: tuple[ServiceInfo, ...]
    community_id: str | None
    searched: tuple[str, ...]  # communities looked in, in order
    widened: bool  # the answers come from a neighbouring community or national services

    @property
    def found(self) -> bool:
        return bool(self.services)


def rules_for(row: m.Service) -> OpeningRules:
    return OpeningRules(
        sessions=tuple(WeeklySession(s.weekday, s.opens, s.closes, s.overnight, s.valid_from, s.valid_to)
                       for s in row.schedules if not s.bank_holiday),
        always_open=row.always_open,
        bank_holidays=row.bank_holidays,
        bank_holiday_hours=tuple((s.opens, s.closes) for s in row.schedules if s.bank_holiday),
        exceptions=tuple(DatedException(e.starts, e.ends, e.closed, e.opens, e.closes) for e in row.exceptions),
    )


@dataclass(frozen=True)
class _Record:
    """What a service is, independent of the time asked about: built once per directory version."""
    static: dict
    rules: OpeningRules
    min_age: int | None
    max_age: int | None
    sex: str | None

    def eligible(self, age: int | None, sex: str | None) -> bool:
        if age is not None:
            if self.min_age is not None and age < self.min_age:
                return False
            if self.max_age is not None and age > self.max_age:
                return False
        return not (sex and self.sex and sex != self.sex)


def _record(row: m.Service) -> _Record:
    loc = row.location
    static = dict(
        id=row.id, name=row.name, type=row.type, community_id=row.community_id,
        address=loc.address if loc else None, postcode=loc.postcode if loc else None,
        phones=tuple(PhoneNumber(p.number, p.type, p.description) for p in row.phones),
        website=row.website, offers=tuple(sorted(o.code for o in row.offers)),
        description=row.description, registered_patients_only=row.registered_patients_only,
        eligibility_note=row.eligibility_note,
        accessibility=tuple(row.accessibility.splitlines()) if row.accessibility else (),
    )
    return _Record(static, rules_for(row), row.min_age, row.max_age, row.sex)


_records_lock = threading.Lock()
_records: dict[str, tuple[str | None, dict[str, _Record] | None]] = {}


def _records_for(engine: Engine, session: Session, version: str | None, ids: list[str]) -> list[_Record]:
    """Records for `ids` from this directory version's snapshot.

    The first query after a publish loads every service in one batch (about a second for
    10,000), so that each later query only selects ids with SQL and reads compiled records.
    """
    key = str(engine.url)
    with _records_lock:
        cached_version, cache = _records.get(key, (None, None))
        if cache is None or cached_version != version:
            rows = session.execute(select(m.Service)).scalars().unique()
            cache = {row.id: _record(row) for row in rows}
            _records[key] = (version, cache)
    return [cache[i] for i in ids if i in cache]


_lookups_lock = threading.Lock()
_lookups: dict[str, tuple[str | None, dict]] = {}
MAX_LOOKUPS = 10_000  # distinct (communities, types, offer) questions kept per directory version


def _for_version(engine: Engine, version: str | None, key: tuple, compute):
    """compute(), remembered until the directory's version changes (a publish)."""
    url = str(engine.url)
    with _lookups_lock:
        cached_version, memo = _lookups.get(url, (None, None))
        if memo is None or cached_version != version or len(memo) > MAX_LOOKUPS:
            memo = {}
            _lookups[url] = (version, memo)
        if key in memo:
            return memo[key]
    value = compute()
    with _lookups_lock:
        memo[key] = value
    return value


def _types_key(service_type: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    return (service_type,) if isinstance(service_type, str) else tuple(service_type or ())


def _candidate_ids(session: Session, communities: list[str], service_type: str | tuple[str, ...] | None,
                   offer: str | None) -> list[str]:
    query = select(m.Service.id).where(m.Service.community_id.in_(communities), m.Service.status == "active")
    if service_type:
        types = (service_type,) if isinstance(service_type, str) else tuple(service_type)
        query = query.where(m.Service.type.in_(types))
    if offer:
        query = query.where(m.Service.id.in_(select(m.ServiceOffer.service_id).where(m.ServiceOffer.code == offer)))
    return list(session.execute(query).scalars())


def _info(record: _Record, at: dt.datetime, upcoming: dt.datetime | None, status: str | None = None) -> ServiceInfo:
    rules = record.rules
    return ServiceInfo(
        **record.static,
        open_now=(upcoming == at) if rules.known else None,
        status=status or status_text(rules, at, upcoming),
        today_hours=hours_text(rules, at.astimezone(LONDON).date()), next_opening=upcoming,
    )


def _rank(records: list[_Record], at: dt.datetime, limit: int, open_only: bool) -> list[ServiceInfo]:
    """Open places first (by name), then the soonest to open; next openings are worked out only
    when there are not enough open places to fill the answer."""
    flags = [(r, r.rules.known and is_open(r.rules, at)) for r in records]
    open_now = sorted((r for r, is_open_now in flags if is_open_now), key=lambda r: r.static["name"])
    chosen = [(r, at) for r in open_now[:limit]]
    if len(chosen) < limit and not open_only:
        far = at + dt.timedelta(days=366)
        later = [(r, next_opening(r.rules, at) if r.rules.known else None)
                 for r, is_open_now in flags if not is_open_now]
        later.sort(key=lambda pair: (pair[1] or far, pair[0].static["name"]))
        chosen += later[:limit - len(chosen)]
    return [_info(r, at, upcoming) for r, upcoming in chosen]


def _rank_in_window(records: list[_Record], start: dt.datetime, end: dt.datetime, limit: int,
                    at: dt.datetime) -> list[ServiceInfo]:
    """Places open at some moment from `start` to `end`, the soonest open first; each says its
    hours on that day ("Sunday: 10am to 4pm") rather than whether it is open now."""
    hits = []
    for record in records:
        if not record.rules.known:
            continue
        # A window that starts now counts a place open now; a later one, places opening in it.
        first = next_opening(record.rules, start) if start <= at else opens_between(record.rules, start, end)
        if first is not None and first < end:
            hits.append((first, record.static["name"], record))
    hits.sort(key=lambda hit: hit[:2])
    return [_info(record, start, first, None if first <= at else _day_hours(record.rules, first, at))
            for first, _, record in hits[:limit]]


def _day_hours(rules: OpeningRules, first: dt.datetime, at: dt.datetime) -> str:
    """"Sunday: 10am to 4pm": the hours on the day a later window opens."""
    day = first.astimezone(LONDON).date()
    hours = "open 24 hours" if rules.always_open else hours_text(rules, day)
    return f"{day_word(day, at.astimezone(LONDON).date()).capitalize()}: {hours}"


def neighbours(session: Session, community_id: str) -> list[str]:
    return list(session.execute(
        select(m.CommunityNeighbour.neighbour_id).where(m.CommunityNeighbour.community_id == community_id)
        .order_by(m.CommunityNeighbour.rank)).scalars())


def find_services(engine: Engine, community_id: str | None, service_type: str | tuple[str, ...] | None = None,
                  offer: str | None = None, at: dt.datetime | None = None, age: int | None = None,
                  sex: str | None = None, open_only: bool = False, limit: int = 3,
                  widen: bool = True, window: tuple[dt.datetime, dt.datetime] | None = None) -> SearchResult:
    """Up to `limit` suitable places: open ones first, then the soonest to open.

    `service_type` may be one type or several that serve the same need. With `window` (a
    resident asked "open on Sunday?"), only places open at some moment of it, soonest first.

    Looks in the community, then (with `widen`) its neighbours together, then national
    services, and stops at the first of those that has something suitable.
    """
    if not service_type and not offer:
        raise ValueError("give a service type or an offered service")
    at = at or dt.datetime.now(LONDON)
    with Session(engine) as session:
        version = directory_version(session)
        tiers: list[list[str]] = []
        if community_id:
            tiers.append([community_id])
            if widen:
                near = _for_version(engine, version, ("neighbours", community_id),
                                    lambda: tuple(neighbours(session, community_id)))
                if near:
                    tiers.append(list(near))
        tiers.append([NATIONAL])
        searched: list[str] = []
        for depth, tier in enumerate(tiers):
            searched += tier
            ids = _for_version(engine, version, ("ids", tuple(tier), _types_key(service_type), offer),
                               lambda: tuple(_candidate_ids(session, tier, service_type, offer)))
            records = [r for r in _records_for(engine, session, version, ids) if r.eligible(age, sex)]
            infos = _rank_in_window(records, *window, limit, at) if window else _rank(records, at, limit, open_only)
            if infos:
                return SearchResult(tuple(infos), community_id, tuple(searched), depth > 0)
        return SearchResult((), community_id, tuple(searched), False)
