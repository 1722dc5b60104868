"""The one vocabulary of service types and offered services, read from the JSON Schema.

The schema is the single source: the YAML files, the conversation's slots and entities, and
the commissioners' report all use these words.
"""
from __future__ import annotations

import json
from functools import lru_cache

from bot.paths import SERVICES_DIRECTORY

SCHEMA_PATH = SERVICES_DIRECTORY / "schema" / "directory.schema.json"


@lru_cache(maxsize=None)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def service_types() -> tuple[str, ...]:
    return tuple(schema()["definitions"]["service_type"]["enum"])


def offered_services() -> tuple[str, ...]:
    return tuple(schema()["definitions"]["offered_service"]["enum"])


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# How residents name each kind of place. The NLU model learns these words too (data/nlu
# synonyms); this table is the run-time fallback when the model's entity span is off.
SERVICE_WORDS: dict[str, tuple[str, ...]] = {
    "gp_practice": ("gp", "gps", "doctor", "doctors", "doctor's", "surgery", "surgeries", "gp practice",
                    "medical centre", "health centre", "gp surgery"),
    "pharmacy": ("pharmacy", "pharmacies", "chemist", "chemists", "pharmacist", "farmacy", "pharmacys"),
    "urgent_treatment_centre": ("urgent treatment centre", "utc", "walk in centre", "walk-in centre", "walk in"),
    "minor_injuries_unit": ("minor injuries", "minor injuries unit", "miu", "minor injury"),
    "a_and_e": ("a&e", "a and e", "a & e", "casualty", "emergency department"),
    "out_of_hours_gp": ("out of hours", "out-of-hours"),
    "dentist": ("dentist", "dentists", "dental practice", "dental surgery", "nhs dentist"),
    "urgent_dental": ("emergency dentist", "urgent dentist", "urgent dental"),
    "mental_health": ("mental health",),
    "talking_therapies": ("talking therapies", "talking therapy", "counselling", "counseling", "counsellor", "therapy"),
    "sexual_health": ("sexual health", "sexual health clinic", "gum clinic", "family planning"),
    "community_group": ("community group", "community groups", "group", "groups", "club", "lunch club",
                        "walking group", "toddler group", "parent group", "mums group", "coffee morning"),
    "social_prescribing": ("social prescribing", "social prescriber", "link worker"),
    "carers_support": ("carers", "carer", "carers support", "carers group", "carers centre"),
    "food_bank": ("food bank", "foodbank", "food banks", "food parcel", "food parcels"),
}


def service_type_in(text: str) -> str | None:
    """The kind of place a message names, longest phrase first ("food bank" before "bank")."""
    import re

    words = " " + re.sub(r"[^a-z0-9&' ]+", " ", text.lower()) + " "
    best: tuple[int, str] | None = None
    for service, phrases in SERVICE_WORDS.items():
        for phrase in phrases:
            if f" {phrase} " in words and (best is None or len(phrase) > best[0]):
                best = (len(phrase), service)
    return best[1] if best else None
