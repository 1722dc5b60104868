"""action_find_service: list places of the asked-for type from the directory."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.directory.db import get_engine
from bot.directory.queries import find_services


class ActionFindService(Action):
    def name(self) -> str:
        return "action_find_service"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        service_type = tracker.get_slot("service_type")
        if not service_type:
            dispatcher.utter_message(text="What kind of place are you looking for? For example a pharmacy, a GP practice or a dentist.")
            return []
        places = find_services(get_engine(), service_type)
        label = service_type.replace("_", " ")
        if not places:
            dispatcher.utter_message(text=f"I could not find a {label} in the directory. If you need medical help now, call 111.")
            return []
        lines = [f"Here are some places ({label}):"]
        for place in places:
            lines.append(" - ".join(filter(None, [place.name, place.address, place.phone])))
        dispatcher.utter_message(text="\n".join(lines))
        return []
