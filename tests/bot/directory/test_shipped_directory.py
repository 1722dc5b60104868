"""The directory the project ships: the content each Care Community file must hold."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.directory.db import engine_for
from bot.directory.loader import load
from bot.directory.queries import resolve_place
from bot.paths import SERVICES_DIRECTORY

COMMUNITIES = {
    "cheshire-west": ["chester-central", "chester-east", "chester-west", "chester-south", "ellesmere-port",
                      "neston-willaston", "northwich", "winsford", "rural"],
    "cheshire-east": ["crewe", "nantwich-rural", "smash", "congleton-holmes-chapel", "knutsford",
                      "macclesfield", "chaw", "bdp"],
}
FILES = [SERVICES_DIRECTORY / b / f"{c}.yml" for b, cs in COMMUNITIES.items() for c in cs]
URGENT_CARE = {"urgent_treatment_centre", "minor_injuries_unit", "a_and_e"}
GROUPS = {"community_group", "carers_support", "food_bank", "social_prescribing", "mental_health", "talking_therapies"}


def test_exactly_the_seventeen_care_communities_and_national():
    found = sorted(p.relative_to(SERVICES_DIRECTORY).as_posix() for p in SERVICES_DIRECTORY.rglob("*.yml"))
    assert found == sorted(["national.yml", *(p.relative_to(SERVICES_DIRECTORY).as_posix() for p in FILES)])


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_community_file_content(path: Path):
    text = path.read_text()
    assert text.startswith("# SAMPLE DATA: to be verified by the"), "each file begins with the sample-data comment"
    doc = yaml.safe_load(text)
    services = [s for s in doc["services"] if s.get("status", "active") == "active"]
    kinds = Counter(s["type"] for s in services)
    assert kinds["gp_practice"] >= 2
    assert kinds["pharmacy"] >= 3
    assert any("pharmacy_first" in s.get("offers", []) for s in services if s["type"] == "pharmacy")
    assert kinds["dentist"] >= 1
    assert URGENT_CARE & set(kinds)
    assert sum(kinds[g] for g in GROUPS) >= 3
    assert doc["places"] and doc["postcodes"]


def test_late_or_sunday_pharmacy_opening_in_every_community_or_next_door():
    def late_or_sunday(doc):
        for s in doc["services"]:
            for session in s.get("opening_hours", {}).get("regular", []) if s["type"] == "pharmacy" else []:
                if "sun" in session["days"] or session["closes"] >= "20:00" or session.get("overnight"):
                    return True
        return False
    docs = {p.stem: yaml.safe_load(p.read_text()) for p in FILES}
    for cid, doc in docs.items():
        assert late_or_sunday(doc) or any(late_or_sunday(docs[n]) for n in doc.get("neighbours", [])), cid


def test_phone_numbers_are_drama_range_or_known_public_numbers():
    known = {"01244 365000", "01270 255141", "01625 421000"}  # hospital switchboards
    for path in FILES:
        for s in yaml.safe_load(path.read_text())["services"]:
            for phone in s.get("phones", []):
                n = phone["number"]
                assert n in known or n.startswith("01632 960"), f"{path.name}: {s['id']}: {n}"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = engine_for(f"sqlite:///{tmp_path_factory.mktemp('shipped') / 'd.db'}")
    load(SERVICES_DIRECTORY, engine, today=dt.date(2026, 11, 23))
    return engine


@pytest.mark.parametrize("text, options", [
    ("Willaston", {"neston-willaston", "crewe"}),
    ("CW10", {"winsford", "smash"}),
    ("CW10 9BE", {"winsford", "smash"}),
])
def test_the_two_real_ambiguities_stay_visible(engine, text, options):
    match = resolve_place(engine, text)
    assert match.status == "ambiguous" and {o.id for o in match.options} == options


@pytest.mark.parametrize("text, community", [
    ("Nortwich", "northwich"), ("CH65 2AB", "ellesmere-port"), ("CW9", "northwich"), ("Macclesfeild", "macclesfield"),
    ("Hoole", "chester-central"), ("Blacon", "chester-west"), ("Sandbach", "smash"), ("Wilmslow", "chaw"),
    ("Poynton", "bdp"), ("Frodsham", "rural"), ("Nantwich", "nantwich-rural"), ("Knutsford", "knutsford"),
])
def test_real_places_resolve(engine, text, community):
    assert resolve_place(engine, text).community_id == community
