"""Helpers shared by the actions: slot events for an outcome and listing places."""
from __future__ import annotations

from rasa_sdk.events import SlotSet

from bot.answers import ambiguous_message
from bot.directory.db import get_engine
from bot.directory.queries import find_services, resolve_place
from bot.signposting import SAFETY_NET, places_message


# Kinds of place that serve the same need: an urgent treatment centre or a minor injuries unit
# (guidance section 4), a dentist's urgent care or an urgent dental service.
ALSO_SUITABLE = {"urgent_treatment_centre": ("urgent_treatment_centre", "minor_injuries_unit"),
                 "minor_injuries_unit": ("minor_injuries_unit", "urgent_treatment_centre"),
                 "urgent_dental": ("urgent_dental", "dentist")}


def list_places(dispatcher, community: str, service: str, offer: str | None, age, sex, urgency: str | None,
                safety_net: bool = True) -> None:
    types = ALSO_SUITABLE.get(service, service)
    age = int(age) if age is not None else None
    result = find_services(get_engine(), community, types, offer=offer, age=age, sex=sex)
    if offer and not result.found:  # e.g. no Pharmacy First pharmacy listed: any pharmacy can advise
        result = find_services(get_engine(), community, types, age=age, sex=sex)
    dispatcher.utter_message(text=places_message(result, service, urgency))
    if safety_net:
        dispatcher.utter_message(text=SAFETY_NET)


def place_in_message(tracker):
    """Where the message says the resident is. The message is scanned first, because the first
    place named is usually the specific one ("Upton by Chester"); the model's `place` entity is
    the fallback, matched more loosely (misspellings)."""
    engine = get_engine()
    match = resolve_place(engine, tracker.latest_message.get("text", ""), fuzzy="scan")
    entity = next(tracker.get_latest_entity_values("place"), None)
    if match.status == "unknown" and entity:
        match = resolve_place(engine, entity)
    return match


def ask_which_place(dispatcher, match) -> None:
    """Willaston, CW10: ask which one, with a button per Care Community."""
    dispatcher.utter_message(text=ambiguous_message(match),
                             buttons=[{"title": o.name, "payload": o.name} for o in match.options])


def search_events(service: str | None, offer: str | None = None) -> list:
    return [SlotSet("search_service", service), SlotSet("search_offer", offer)]
