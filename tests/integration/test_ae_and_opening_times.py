"""Asking about A&E, opening times and out of hours, through the real servers (issue 4, points 1, 3, 6)."""
from __future__ import annotations

import datetime as dt

from bot.directory.opening_hours import LONDON, gp_out_of_hours
from tests.conftest import new_sender, texts


def test_asking_about_a_and_e_for_a_minor_problem_names_a_better_place(assistant):
    sender = new_sender()
    reply = assistant.send("should i go to a&e with my sore throat? im 30", sender)
    assert not reply[0]["text"].startswith("Call 999")
    said = texts(reply)
    assert "pharmacist is a better place than A&E" in said and "you can always go to A&E" in said
    slots = assistant.slots(sender)
    assert (slots["urgency"], slots["recommended_service"], slots["steered_from_ae"]) == ("self_care", "pharmacy", True)


def test_asking_about_a_and_e_for_an_injury_explains_the_shorter_wait(assistant):
    sender = new_sender()
    said = texts(assistant.send("is it worth going to casualty for a sprained ankle, I'm in Crewe", sender))
    assert "urgent treatment centre" in said and "shorter" in said and "you can always go to A&E" in said
    slots = assistant.slots(sender)
    assert slots["recommended_service"] == "urgent_treatment_centre" and slots["care_community"] == "crewe"


def test_asking_about_a_and_e_with_a_red_flag_is_999_first(assistant):
    sender = new_sender()
    reply = assistant.send("should i take him to a and e, he has crushing chest pain", sender)
    assert reply[0]["text"].startswith("Call 999 now")
    assert assistant.slots(sender)["urgency"] == "emergency"


def test_asking_about_a_and_e_without_a_problem_asks_what_is_wrong_and_sets_no_urgency(assistant):
    sender = new_sender()
    said = texts(assistant.send("should I go to A&E?", sender))
    assert "call 999" in said and "tell me what the problem is" in said
    assert assistant.slots(sender)["urgency"] is None


def test_open_on_a_named_day_lists_places_open_that_day(assistant):
    tomorrow = (dt.datetime.now(LONDON) + dt.timedelta(days=1)).strftime("%A")
    sender = new_sender()
    said = texts(assistant.send(f"which pharmacy is open on {tomorrow} in Crewe", sender))
    assert f"open on {tomorrow}" in said, said
    assert said.rstrip().endswith("In an emergency, call 999."), said  # every answer ends with where to turn
    assert assistant.slots(sender)["search_when"] == f"on {tomorrow}"
    if "Places near you open" in said:  # each place then gives that day's hours
        assert said.count(f"{tomorrow}: ") + said.count("Tomorrow: ") >= 1, said


def test_the_asked_time_is_kept_while_the_place_is_asked_for(assistant):
    sender = new_sender()
    said = texts(assistant.send("any chemist open tonight", sender))
    assert "town, village or postcode" in said
    said = texts(assistant.send("Northwich", sender))
    assert "open tonight" in said, said


def test_out_of_hours_comes_from_the_clock(assistant):
    sender = new_sender()
    assistant.send("I think I have a water infection and I'm pregnant", sender)
    slots = assistant.slots(sender)
    closed = gp_out_of_hours(dt.datetime.now(dt.timezone.utc))
    assert (slots["urgency"], slots["recommended_service"]) == ("urgent", "nhs_111" if closed else "gp_practice")
