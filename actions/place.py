"""The place form's validation and action_signpost, which lists places once the place is known."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import ask_which_place, asked_window_of_search, list_places
from bot.directory.db import get_engine
from bot.directory.queries import POSTCODE_IN_TEXT as POSTCODE, resolve_place
from bot.signposting import GET_HELP


PLACE_FILLER = {"i", "im", "i'm", "am", "in", "at", "near", "live", "living", "now", "my", "postcode", "is", "we",
                "we're", "were", "are", "actually", "staying", "moved", "to", "the", "area", "change", "please",
                "today", "this", "week", "from", "around", "based", "town"}


def _mostly_a_place(message: str, place: str) -> bool:
    """True for "I'm in Crewe now" or "CW1 2AB"; false when other words carry the meaning."""
    place_words = set(place.lower().split())
    other = [w for w in re.findall(r"[a-z0-9']+", message.lower()) if w not in place_words and w not in PLACE_FILLER]
    return len(other) <= 1


class ValidatePlaceForm(FormValidationAction):
    def name(self) -> str:
        return "validate_place_form"

    def validate_place(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: dict[str, Any]) -> dict[str, Any]:
        text = str(value or "").strip()
        if text.lower() in PLACE_FILLER:
            # The entity model now and then tags "I" in "I'm 67 and ..." as a place: that is not
            # an answer, so the question is asked without a "could not find" first.
            return {"place": None}
        match = resolve_place(get_engine(), text)
        if match.status == "found":
            return {"place": match.place, "care_community": match.community_id}
        if match.status == "ambiguous":
            ask_which_place(dispatcher, match)
        else:
            dispatcher.utter_message(text=f"Sorry, I could not find \"{str(value)[:60]}\" in Cheshire. "
                                          "Try a town, village or postcode, like Northwich or CW9 5HR.")
        return {"place": None}


def _search_again(dispatcher: CollectingDispatcher, tracker: Tracker, community: str, service: str) -> list:
    """The places for the search the conversation holds (its service, offer, subject, urgency and
    asked time) in `community`; the safety net when the search came from triage."""
    urgency = tracker.get_slot("urgency")
    return list_places(dispatcher, community, service, tracker.get_slot("search_offer"),
                       tracker.get_slot("subject_age"), tracker.get_slot("subject_sex"), urgency,
                       safety_net=urgency is not None, window=asked_window_of_search(tracker))


class ActionSignpost(Action):
    """After the place is known: the places for the search that asked for it."""

    def name(self) -> str:
        return "action_signpost"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        service = tracker.get_slot("search_service")
        community = tracker.get_slot("care_community")
        if not service or not community:
            return [SlotSet("needs_place", False)]
        return _search_again(dispatcher, tracker, community, service) + [SlotSet("needs_place", False)]


class ActionChangePlace(Action):
    """'I'm in Crewe now': remember the new place, and redo the last search there."""

    def name(self) -> str:
        return "action_change_place"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        # Only a place the model tagged, or a postcode: "did Crewe Alex win" names a town but is
        # not the resident saying where they are.
        text = next(tracker.get_latest_entity_values("place"), None) or \
            (tracker.latest_message.get("text", "") if POSTCODE.search(tracker.latest_message.get("text", "").upper()) else "")
        if not text:
            dispatcher.utter_message(response="utter_fallback")
            return []
        match = resolve_place(get_engine(), text)
        if match.status == "ambiguous":
            ask_which_place(dispatcher, match)
            return []
        if match.status != "found":
            dispatcher.utter_message(text="Sorry, I could not find that place in Cheshire. Try a town, village or postcode.")
            return []
        service = tracker.get_slot("search_service")
        if not service and not _mostly_a_place(tracker.latest_message.get("text", ""), text):
            # "where's the cheapest petrol in Northwich": a place, but not about care.
            dispatcher.utter_message(response="utter_fallback")
            return []
        events = [SlotSet("care_community", match.community_id), SlotSet("place", match.place)]
        if service:
            events += _search_again(dispatcher, tracker, match.community_id, service)
        else:
            dispatcher.utter_message(text=f"Thanks, I will look for places near {match.place}. What do you need "
                                          f"help with? {GET_HELP}")
        return events
