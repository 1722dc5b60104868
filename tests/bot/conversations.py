"""Conversations written into a tracker store by Rasa's own SQLTrackerStore.

The rows are then exactly what the running assistant writes: a session start, the resident's
message (text, intent, input channel), the actions, the bot's answers and the slot events the
actions set, in that order. The privacy and report tests build their stores with this.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

from bot.paths import ROOT


@dataclass
class Turn:
    text: str
    intent: str
    slots: dict = field(default_factory=dict)  # set after the message, in this order
    action: str = "action_triage"
    answer: str = "An answer."


@lru_cache(maxsize=1)
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


def session(start: dt.datetime, turns: list[Turn], channel: str = "rest", carried: dict | None = None,
            gap: dt.timedelta = dt.timedelta(seconds=40)) -> list:
    """One Rasa session: action_session_start, session_started, carried-over slots, then turns."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

    t = start.timestamp()
    events = [ActionExecuted("action_session_start", timestamp=t), SessionStarted(timestamp=t)]
    events += [SlotSet(k, v, timestamp=t) for k, v in (carried or {}).items()]
    events.append(ActionExecuted("action_listen", timestamp=t))
    for i, turn in enumerate(turns):
        t = start.timestamp() + (i + 1) * gap.total_seconds()
        events += [UserUttered(turn.text, intent={"name": turn.intent, "confidence": 0.97},
                               input_channel=channel, timestamp=t),
                   ActionExecuted("action_extract_slots", timestamp=t + 0.1),
                   ActionExecuted(turn.action, timestamp=t + 0.2),
                   BotUttered(turn.answer, timestamp=t + 0.3)]
        events += [SlotSet(k, v, timestamp=t + 0.4) for k, v in turn.slots.items()]
        events.append(ActionExecuted("action_listen", timestamp=t + 0.5))
    return events


def tracker_store(**kwargs):
    """Rasa's SQLTrackerStore, e.g. dialect="sqlite", db=path (it creates the events table)."""
    from rasa.core.tracker_store import SQLTrackerStore

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SQLTrackerStore(domain(), **kwargs)


def save(store, sender_id: str, events: list) -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events(sender_id, events, slots=domain().slots)
    asyncio.run(store.save(tracker))
