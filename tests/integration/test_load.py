"""benchmarks/load.py against the shared assistant: 50 concurrent residents for 60 seconds on the
REST channel (issue 6), and a shorter run through the web page server, with no error. No timing
is asserted (the figures are in benchmarks/RESULTS.md)."""
from __future__ import annotations

import asyncio

import pytest

from benchmarks.load import REST, run_load

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("via, seconds", [("rasa", 60), ("web", 5)])
def test_50_concurrent_residents_get_answers_without_an_error(assistant, via, seconds):
    base = assistant.rasa_url if via == "rasa" else assistant.web_url
    result = asyncio.run(run_load(base + REST, residents=50, duration=seconds))
    print(result.summary())
    assert result.messages >= 50 and result.conversations > 0
    assert not result.errors, f"{dict(result.errors)}; e.g. {result.examples}"
