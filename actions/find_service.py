"""action_find_service: list places of the asked-for type near the resident, from the directory."""
from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import ask_which_place, list_places, place_in_message, search_events
from bot.directory.vocabulary import service_type_in, service_types
from bot.directory.when import asked_window


class ActionFindService(Action):
    def name(self) -> str:
        return "action_find_service"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        # Only words of the directory's vocabulary count: the model may tag a new place as a type.
        valid = set(service_types())
        candidates = [*tracker.get_latest_entity_values("service_type"), tracker.get_slot("service_type")]
        service_type = next((c for c in candidates if c in valid), None) \
            or service_type_in(tracker.latest_message.get("text", ""))
        if not service_type:
            # No kind of place we know ("books at the library"): the menu, with 111 and 999.
            dispatcher.utter_message(response="utter_fallback")
            return [SlotSet("needs_place", False)]
        # "Is the chemist open on Sunday?": only places open then, each with that day's hours.
        window = asked_window(tracker.latest_message.get("text", ""), dt.datetime.now(dt.timezone.utc))
        events = search_events(service_type, window=window) + [SlotSet("service_type", service_type)]
        match = place_in_message(tracker)
        community = tracker.get_slot("care_community")
        if match.status == "ambiguous":
            ask_which_place(dispatcher, match)
            return events + [SlotSet("needs_place", True)]
        if match.status == "found":
            community = match.community_id
            events += [SlotSet("care_community", community), SlotSet("place", match.place)]
        if not community:
            return events + [SlotSet("needs_place", True)]
        events += list_places(dispatcher, community, service_type, None, None, None, None, safety_net=False,
                              window=window)
        return events + [SlotSet("needs_place", False)]
