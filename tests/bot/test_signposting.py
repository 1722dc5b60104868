"""Answer wording: urgency and why, places, 'nothing open' and safety-netting."""
from __future__ import annotations

import datetime as dt

from bot.directory.queries import PhoneNumber, SearchResult, ServiceInfo
from bot.signposting import SAFETY_NET, outcome_message, places_message
from bot.triage.detector import find
from bot.triage.outcome import decide


def service(open_now: bool) -> ServiceInfo:
    return ServiceInfo("x", "Test UTC", "urgent_treatment_centre", "c", "1 Road", "CW9 1AA",
                       (PhoneNumber("01632 960000", "voice", None),), None, (), None, False, None, (),
                       open_now, "Open now until 8pm" if open_now else "Closed now. Opens tomorrow at 8am",
                       "8am to 8pm", None if not open_now else dt.datetime(2026, 1, 1))


def test_nothing_open_says_so_and_gives_111():
    text = places_message(SearchResult((service(False),), "c", ("c",), False), "urgent_treatment_centre", "urgent")
    assert "None of these is open right now. Call 111" in text


def test_open_place_does_not_add_the_warning():
    text = places_message(SearchResult((service(True),), "c", ("c",), False), "urgent_treatment_centre", "urgent")
    assert "None of these" not in text and "Test UTC" in text and "01632 960000" in text


def test_a_and_e_steering_explains_and_never_forbids():
    message = outcome_message(decide(find("should I go to A&E with a sprained ankle")))
    assert "urgent treatment centre" in message and "quicker than A&E" in message
    assert "don't go" not in message.lower() and "do not go" not in message.lower()
    assert "999" in SAFETY_NET and "111" in SAFETY_NET
