"""A small real conversation through the running servers (REST channel, tracker API)."""
from __future__ import annotations

import yaml

from bot.paths import SERVICES_DIRECTORY
from tests.conftest import new_sender, texts


def test_greet_capabilities_thanks_goodbye(assistant):
    sender = new_sender()
    assert "find the right place" in texts(assistant.send("hello", sender))
    reply = assistant.send("what can you do?", sender)
    assert "pharmacy" in texts(reply)
    assert any(m.get("buttons") for m in reply), "capabilities offer quick replies"
    assert "welcome" in texts(assistant.send("thanks", sender)).lower()
    assert "goodbye" in texts(assistant.send("bye", sender)).lower()


def test_out_of_scope_offers_menu_and_reminds_of_111_and_999(assistant):
    for text in ("what's the capital of france", "zxqv blorp wibble"):
        reply = assistant.send(text)
        body = texts(reply)
        assert "111" in body and "999" in body, (text, body)
        assert any(m.get("buttons") for m in reply), text


def test_find_pharmacy_reads_directory_through_custom_action(assistant):
    sender = new_sender()
    reply = texts(assistant.send("where is the nearest chemist in Northwich", sender))
    slots = assistant.slots(sender)
    assert slots["service_type"] == "pharmacy" and slots["care_community"] == "northwich"
    # The names come from the staff YAML loaded into the test database, not from the model.
    doc = yaml.safe_load((SERVICES_DIRECTORY / "cheshire-west" / "northwich.yml").read_text())
    pharmacies = [s["name"] for s in doc["services"] if s["type"] == "pharmacy"]
    assert any(name in reply for name in pharmacies), reply


def test_find_service_asks_where_when_place_unknown(assistant):
    reply = texts(assistant.send("find a dentist"))
    assert "town, village or postcode" in reply


def test_web_page_is_served_and_proxies_to_rasa(assistant):
    import requests

    page = requests.get(assistant.web_url + "/", timeout=10)
    assert page.status_code == 200 and "Call 999" in page.text
    assert "find the right place" in texts(assistant.send("hi", via_web=True))


def test_malformed_json_is_a_client_error(assistant):
    import requests

    resp = requests.post(assistant.web_url + "/webhooks/rest/webhook", data=b"{not json",
                         headers={"Content-Type": "application/json"}, timeout=10)
    assert 400 <= resp.status_code < 500


def test_are_you_a_bot_and_speak_to_a_person(assistant):
    assert "computer program" in texts(assistant.send("are you a real person or a bot?"))
    reply = assistant.send("can I speak to a real person please")
    assert "111" in texts(reply) and any(b.get("payload") == "tel:111" for m in reply for b in m.get("buttons", []))
