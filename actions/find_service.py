"""action_find_service: list places of the asked-for type near the resident, from the directory."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import ambiguous_message, places_message
from bot.directory.db import get_engine
from bot.directory.queries import find_services, resolve_place


class ActionFindService(Action):
    def name(self) -> str:
        return "action_find_service"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        service_type = tracker.get_slot("service_type")
        if not service_type:
            dispatcher.utter_message(text="What kind of place are you looking for? For example a pharmacy, a GP practice or a dentist.")
            return []
        engine = get_engine()
        events: list = []
        place = next(tracker.get_latest_entity_values("place"), None)
        # The model tags places it recognises; the directory also looks for any place it knows
        # in the message, so places added by staff work without retraining.
        match = resolve_place(engine, place) if place else resolve_place(engine, tracker.latest_message.get("text", ""), fuzzy=False)
        community = tracker.get_slot("care_community")
        if match.status == "ambiguous":
            dispatcher.utter_message(text=ambiguous_message(match))
            return events
        if match.status == "found":
            community = match.community_id
            events.append(SlotSet("care_community", community))
        if not community:
            dispatcher.utter_message(text="Which town, village or postcode are you in?")
            return events
        result = find_services(engine, community, service_type)
        dispatcher.utter_message(text=places_message(result, service_type, match.place if match.status == "found" else None))
        return events
