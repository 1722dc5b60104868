"""Helpers shared by the actions: slot events for an outcome and listing places."""
from __future__ import annotations

import datetime as dt
from functools import partial

from rasa_sdk.events import SlotSet

from bot.answers import ambiguous_message, label
from bot.directory.db import get_engine
from bot.directory.queries import find_services, resolve_place
from bot.directory.when import Window, asked_window
from bot.signposting import GET_HELP, SAFETY_NET, places_message


# Kinds of place that serve the same need: an urgent treatment centre or a minor injuries unit
# (guidance section 4), a dentist's urgent care or an urgent dental service.
ALSO_SUITABLE = {"urgent_treatment_centre": ("urgent_treatment_centre", "minor_injuries_unit"),
                 "minor_injuries_unit": ("minor_injuries_unit", "urgent_treatment_centre"),
                 "urgent_dental": ("urgent_dental", "dentist")}


def list_places(dispatcher, community: str, service: str, offer: str | None, age, sex, urgency: str | None,
                safety_net: bool = True, window: Window | None = None) -> list:
    """Up to 3 places; with `window` ("open on Sunday"), those open then, or say there are none.

    Returns the `search_found` slot event: false when the resident was told that nothing
    suitable was found, or nothing was open when they needed it (unmet need, counted by the
    commissioners' report).
    """
    types = ALSO_SUITABLE.get(service, service)
    age = int(age) if age is not None else None
    search = partial(find_services, get_engine(), community, types, age=age, sex=sex)
    when = None
    open_when_asked = True
    if window:
        result = search(open_only=True) if window.is_now else search(window=(window.start, window.end))
        if result.found:
            when = window.words
        else:
            open_when_asked = False
            dispatcher.utter_message(text=f"I could not find a {label(service)} near you that is open "
                                          f"{window.words}. If you need help before one opens, call 111.")
    if not window or not result.found:
        result = search(offer=offer)
        if offer and not result.found:  # e.g. no Pharmacy First pharmacy listed: any pharmacy can advise
            result = search()
    dispatcher.utter_message(text=places_message(result, service, urgency, when))
    dispatcher.utter_message(text=SAFETY_NET if safety_net else GET_HELP)
    # The same conditions as the answers' "could not find" and "none of these is open right now".
    none_open_now = urgency == "urgent" and not any(s.open_now for s in result.services)
    return [SlotSet("search_found", result.found and open_when_asked and not none_open_now)]


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


def search_events(service: str | None, offer: str | None = None, window: Window | None = None) -> list:
    """The search to redo once the place is known, or in a new place. The asked-about time is kept
    as words ("on Sunday") and read again then, so that "now" means the moment of the answer."""
    return [SlotSet("search_service", service), SlotSet("search_offer", offer),
            SlotSet("search_when", window.words if window else None)]


def asked_window_of_search(tracker) -> Window | None:
    words = tracker.get_slot("search_when")
    return asked_window(words, dt.datetime.now(dt.timezone.utc)) if words else None
