"""Read the tracker store's events into the counts the commissioners' report shows.

A conversation is one Rasa session (a new one starts after an hour of silence) with at least one
message in the period. What it led to is read from the outcome slots the assistant sets
(domain.yml): `urgency` and `recommended_service` (an outcome), `care_community` and `place`
(where), `steered_from_ae` (asked about A&E, told a better place), `search_found` (false: nothing
suitable, or nothing open when needed). Slots carried over into a new session are context, not
new outcomes, so nothing is counted twice.

Message text is health data: it is never read out of the event, and nothing here keeps it.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine

from bot.report.names import Directory
from bot.tracker_db import events

LONDON = ZoneInfo("Europe/London")
CHANNELS = {"rest": "web", "sms": "sms"}  # Rasa input channel → how the resident wrote
SLOTS = {"urgency", "recommended_service", "care_community", "place", "steered_from_ae", "search_found",
         "search_service", "service_type"}
URGENCIES = ("emergency", "urgent", "routine", "self_care")


@dataclass
class Unmet:
    community: str | None
    place: str | None  # as the directory names it; None when unknown or not checked
    service: str | None


@dataclass
class Conversation:
    channel: str  # web, sms or other
    started: dt.datetime  # the first message in the period (UTC)
    community: str | None = None
    outcomes: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # urgency, service, community
    asked_about_ae: bool = False
    steered_to: list[str | None] = field(default_factory=list)
    searches: int = 0
    unmet: list[Unmet] = field(default_factory=list)


@dataclass
class Summary:
    """Whole counts, before small-number suppression (render.py applies it)."""
    since: dt.datetime
    until: dt.datetime
    conversations: int = 0
    by_channel: Counter = field(default_factory=Counter)
    by_community: Counter = field(default_factory=Counter)            # community id or None
    by_community_channel: Counter = field(default_factory=Counter)    # (community, channel)
    outcomes: int = 0
    by_urgency: Counter = field(default_factory=Counter)
    by_community_urgency: Counter = field(default_factory=Counter)    # (community, urgency)
    by_service: Counter = field(default_factory=Counter)
    by_community_service: Counter = field(default_factory=Counter)    # (community, service)
    asked_about_ae: int = 0        # conversations
    steered_from_ae: int = 0       # conversations told a better place than A&E
    steered_to: Counter = field(default_factory=Counter)               # service → times
    ae_by_community: Counter = field(default_factory=Counter)         # (community, "asked"|"steered")
    searches: int = 0
    unmet: Counter = field(default_factory=Counter)                   # (community, place, service)
    by_hour: Counter = field(default_factory=Counter)                 # 0..23, Europe/London
    by_hour_channel: Counter = field(default_factory=Counter)         # (hour, channel)

    def add(self, conv: Conversation) -> None:
        self.conversations += 1
        self.by_channel[conv.channel] += 1
        self.by_community[conv.community] += 1
        self.by_community_channel[conv.community, conv.channel] += 1
        hour = conv.started.astimezone(LONDON).hour
        self.by_hour[hour] += 1
        self.by_hour_channel[hour, conv.channel] += 1
        for urgency, service, community in conv.outcomes:
            self.outcomes += 1
            self.by_urgency[urgency] += 1
            self.by_community_urgency[community, urgency] += 1
            self.by_service[service] += 1
            self.by_community_service[community, service] += 1
        if conv.asked_about_ae:
            self.asked_about_ae += 1
            self.ae_by_community[conv.community, "asked"] += 1
        if conv.steered_to:
            self.steered_from_ae += 1
            self.ae_by_community[conv.community, "steered"] += 1
            self.steered_to.update(conv.steered_to)
        self.searches += conv.searches
        for need in conv.unmet:
            self.unmet[need.community, need.place, need.service] += 1


@dataclass
class _Row:
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    data: str | None


def _slot(row: _Row) -> tuple[str, object] | None:
    event = json.loads(row.data or "{}")
    name = event.get("name")
    return (name, event.get("value")) if name in SLOTS else None


def _input_channel(row: _Row) -> str:
    """Only `input_channel` is taken from the user event; its text is never kept."""
    event = json.loads(row.data or "{}")
    channel = CHANNELS.get(event.get("input_channel") or "", "other")
    return "sms" if row.sender_id.startswith("sms-") else channel


class _Session:
    """One sender's conversation, turn by turn (a turn: a message and what followed it)."""

    def __init__(self, conv: Conversation, state: dict, directory: Directory) -> None:
        self.conv, self.state, self.directory = conv, state, directory
        self.turn: dict[str, object] = {}
        self.intent: str | None = None
        self.waiting_for_community: list[int] = []  # outcomes not yet placed

    def message(self, intent: str | None) -> None:
        self.end_turn()
        self.turn, self.intent = {}, intent

    def slot(self, name: str, value: object) -> None:
        self.turn[name] = value
        if name == "care_community" and value:
            for i in self.waiting_for_community:  # "which town?" answered after the outcome
                urgency, service, _ = self.conv.outcomes[i]
                self.conv.outcomes[i] = (urgency, service, str(value))
            self.waiting_for_community = []
        if name == "search_found" and value is not None:
            self.conv.searches += 1
            if value is False:
                community = self.state.get("care_community")
                service = self.state.get("search_service") or self.state.get("service_type")
                self.conv.unmet.append(Unmet(community, self.directory.place(community, self.state.get("place")),
                                             str(service) if service else None))

    def end_turn(self) -> None:
        urgency = self.turn.get("urgency")
        if urgency in URGENCIES:
            community = self.state.get("care_community")
            service = self.state.get("recommended_service")
            self.conv.outcomes.append((str(urgency), str(service) if service else None,
                                       str(community) if community else None))
            if not community:
                self.waiting_for_community.append(len(self.conv.outcomes) - 1)
        if self.intent == "ask_about_ae" or self.turn.get("steered_from_ae") is not None:
            self.conv.asked_about_ae = True
        if self.turn.get("steered_from_ae") is True:
            service = self.state.get("recommended_service")
            self.conv.steered_to.append(str(service) if service else None)
        self.turn, self.intent = {}, None

    def finish(self) -> Conversation:
        self.end_turn()
        community = self.state.get("care_community")
        self.conv.community = str(community) if community else None
        return self.conv


def conversations(rows: Iterable[_Row], directory: Directory) -> Iterator[Conversation]:
    """Rows ordered by sender and event id → one Conversation per session with a message."""
    for _, group in groupby(rows, key=lambda r: r.sender_id):
        state: dict[str, object] = {}  # slots, carried over from session to session as Rasa does
        session: _Session | None = None
        for row in group:
            if row.type_name == "session_started":
                if session:
                    yield session.finish()
                session = None
            elif row.type_name == "user":
                if session is None:
                    started = dt.datetime.fromtimestamp(row.timestamp or 0, dt.timezone.utc)
                    session = _Session(Conversation(_input_channel(row), started), state, directory)
                session.message(row.intent_name)
            elif row.type_name == "slot":
                slot = _slot(row)
                if slot:
                    state[slot[0]] = slot[1]
                    if session:  # before the first message: carried over, not new
                        session.slot(*slot)
        if session:
            yield session.finish()


def read_summary(engine: Engine, since: dt.datetime, until: dt.datetime, directory: Directory) -> Summary:
    """Counts for the conversations with messages in [since, until)."""
    query = (select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.intent_name,
                    events.c.data)
             .where(events.c.timestamp >= since.timestamp(), events.c.timestamp < until.timestamp(),
                    events.c.type_name.in_(("user", "slot", "session_started")),
                    # Rasa stores a slot's name in action_name: only the outcome slots are read.
                    or_(events.c.type_name != "slot", events.c.action_name.in_(sorted(SLOTS))))
             .order_by(events.c.sender_id, events.c.id))
    summary = Summary(since, until)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(query)
        rows = (_Row(r.sender_id, r.type_name, r.timestamp, r.intent_name, r.data) for r in result)
        for conv in conversations(rows, directory):
            summary.add(conv)
    return summary
