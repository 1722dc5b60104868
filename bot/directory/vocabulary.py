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
