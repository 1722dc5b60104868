"""Triage accuracy on the public test sets, and detector speed (rules only, no Rasa).

    .venv/bin/python benchmarks/triage_accuracy.py

The same sets run through the real servers in tests/integration/test_triage_conversation.py;
this gives the numbers quickly and writes them into benchmarks/RESULTS.md.
"""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.triage.detector import find  # noqa: E402
from bot.triage.outcome import decide  # noqa: E402
from benchmarks.results import write_section  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def load(name: str) -> list[dict]:
    return yaml.safe_load((DATA / name).read_text())


def main() -> None:
    find("warm up")
    rows = []
    red = load("red_flags.yml")
    started = time.perf_counter()
    caught = sum(find(i["text"]).emergency for i in red)
    per_message_ms = (time.perf_counter() - started) / len(red) * 1000
    rows.append(f"| red flags → emergency (must be 100%) | {caught}/{len(red)} | {caught / len(red):.1%} |")
    calm = load("not_emergencies.yml")
    over = sum(find(i["text"]).emergency for i in calm)
    rows.append(f"| not emergencies kept off 999 | {len(calm) - over}/{len(calm)} | {(len(calm) - over) / len(calm):.1%} |")
    for name in ("pharmacy_first_and_self_care.yml", "urgent.yml", "routine.yml"):
        items = load(name)
        right = 0
        for i in items:
            o = decide(find(i["text"]))
            right += bool(o) and (o.urgency, o.service) == (i["expect_urgency"], i["expect_service"])
        rows.append(f"| {name.removesuffix('.yml')}: urgency and service | {right}/{len(items)} | {right / len(items):.1%} |")
    print(write_section("triage-accuracy", [
        "## Triage rules on the public test sets", "",
        f"Command: `.venv/bin/python benchmarks/triage_accuracy.py`; run on {dt.date.today().isoformat()}. "
        "Rules only (bot/triage); the same sets through the real servers are integration tests.", "",
        "| set | right | share |", "|---|---|---|", *rows, "",
        f"Detector speed: {per_message_ms:.2f} ms per message (mean over the red-flag set)."]))


if __name__ == "__main__":
    main()
