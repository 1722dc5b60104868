"""action_triage: urgency, the right kind of place and why, then places near the resident."""
from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import list_places, place_in_message, search_events
from bot.directory.db import get_engine
from bot.directory.queries import find_services
from bot.signposting import SAFETY_NET, ae_steering, outcome_message
from bot.triage.detector import find
from bot.triage.outcome import decide

class ActionTriage(Action):
    def name(self) -> str:
        return "action_triage"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        findings = find(tracker.latest_message.get("text", ""))
        outcome = decide(findings, at=dt.datetime.now(dt.timezone.utc))
        asked_about_ae = (tracker.latest_message.get("intent") or {}).get("name") == "ask_about_ae"
        if outcome is None:
            # Nothing health-related was recognised: never state an urgency from a guess.
            dispatcher.utter_message(response="utter_ae_what_problem" if asked_about_ae else "utter_fallback")
            return [SlotSet("needs_place", False)]
        subject = findings.subject
        events = [SlotSet("urgency", outcome.urgency), SlotSet("recommended_service", outcome.service),
                  SlotSet("triage_condition", outcome.condition),
                  SlotSet("red_flag", findings.flag if findings.emergency else None),
                  SlotSet("subject_age", subject.age), SlotSet("subject_sex", subject.sex)]
        if outcome.urgency == "emergency":  # the NLU component normally answers first; never rely on it
            dispatcher.utter_message(response="utter_emergency")
            dispatcher.utter_message(response="utter_emergency_more")
            return events + [SlotSet("needs_place", False)]
        dispatcher.utter_message(text=outcome_message(outcome))
        steering = ae_steering(outcome) if asked_about_ae else None
        if steering:
            dispatcher.utter_message(text=steering)
        events.append(SlotSet("steered_from_ae", bool(steering) if asked_about_ae else None))
        if outcome.service == "mental_health_crisis":
            lines = find_services(get_engine(), None, "mental_health_crisis", age=subject.age, limit=4)
            dispatcher.utter_message(text="\n".join(
                f"{s.name}: {s.phones[0].number}" + (f" ({s.phones[0].description})" if s.phones[0].description else "")
                for s in lines.services if s.phones))
        if not outcome.needs_place:
            dispatcher.utter_message(text=SAFETY_NET)
            return events + search_events(None) + [SlotSet("needs_place", False)]
        events += search_events(outcome.service, outcome.offer)
        community = tracker.get_slot("care_community")
        # "I've sprained my ankle, I'm in Crewe": a place in the same message is used at once.
        match = place_in_message(tracker)
        if match.status == "found":
            community = match.community_id
            events += [SlotSet("care_community", community), SlotSet("place", match.place)]
        if community:
            events += list_places(dispatcher, community, outcome.service, outcome.offer, subject.age, subject.sex,
                                  outcome.urgency)
            return events + [SlotSet("needs_place", False)]
        return events + [SlotSet("needs_place", True)]
