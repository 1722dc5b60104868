"""PlaceEntityFilter: the model's `place` entity survives only if the live directory knows it."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.directory.db import engine_for
from bot.directory.loader import load
from bot.directory.place_component import PlaceEntityFilter
from bot.paths import SERVICES_DIRECTORY


def places_kept(*values: str) -> list[str]:
    entities = [{"entity": "place", "value": v, "start": 0, "end": len(v)} for v in values]
    entities.append({"entity": "service_type", "value": "pharmacy", "start": 0, "end": 1})
    message = Message(data={TEXT: " ".join(values), ENTITIES: entities})
    out = PlaceEntityFilter().process([message])[0].get(ENTITIES)
    assert {"entity": "service_type", "value": "pharmacy", "start": 0, "end": 1} in out
    return [e["value"] for e in out if e["entity"] == "place"]


@pytest.fixture
def live_directory(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    load(SERVICES_DIRECTORY, engine_for(url))
    monkeypatch.setenv("DIRECTORY_DB_URL", url)


@pytest.mark.parametrize("word", ["Chest", "I've", "Sorry", "Had", "Sunday", "Help"])
def test_words_that_are_not_places_are_dropped(live_directory, word):
    assert places_kept(word) == []


@pytest.mark.parametrize("place", ["Crewe", "Nantwhich", "CW9 5HR", "Willaston", "ch65"])
def test_places_the_directory_knows_are_kept(live_directory, place):
    assert places_kept(place) == [place]


def test_with_no_directory_to_read_the_entities_are_left_as_they_were(tmp_path, monkeypatch):
    monkeypatch.setenv("DIRECTORY_DB_URL", f"sqlite:///{tmp_path / 'never-loaded.db'}")
    assert places_kept("Chest", "Crewe") == ["Chest", "Crewe"]
