"""Triage accuracy, rules only (no Rasa): the blind vignettes and the older public test sets.

    .venv/bin/python benchmarks/triage_accuracy.py            # figures, written into RESULTS.md
    .venv/bin/python benchmarks/triage_accuracy.py --gate     # also exit 1 if the held-out half
                                                              # misses issue 13's thresholds

The vignettes (tests/data/vignettes, written blind from the NHS pages) are scored per half and
per complaint: emergency sensitivity, under-triage, non-emergencies sent to 999 or A&E, urgency
accuracy and service accuracy. When triage asks a question, the vignette's `if_asked` answer is
given, as the resident would. Output names complaints and figures only, never a held-out
message: the held-out half is not for the eyes of whoever writes rules.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.triage.detector import find  # noqa: E402
from bot.triage.outcome import decide  # noqa: E402
from benchmarks.results import write_section  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
VIGNETTES = DATA / "vignettes"
HALVES = ("development", "heldout")
RANK = {"self_care": 0, "routine": 1, "urgent": 2, "emergency": 3}
EMERGENCY_SERVICES = {"call_999", "a_and_e"}
# Issue 13, point 5: what the held-out half must reach.
GATE = {"emergency sensitivity": (">=", 0.98), "non-emergencies sent to 999/A&E": ("<=", 0.05),
        "urgency accuracy": (">=", 0.85)}


@dataclass(frozen=True)
class Answer:
    urgency: str | None  # None: triage gave no urgency (not understood)
    service: str | None
    questions: int = 0


def rules_answer(text: str, if_asked: str) -> Answer:
    """Today's triage (bot/triage detector + decide): one message, no question."""
    findings = find(text)
    if findings.emergency:
        return Answer("emergency", "call_999")
    outcome = decide(findings)
    return Answer(outcome.urgency, outcome.service) if outcome else Answer(None, None)


def tables_answer(text: str, if_asked: str) -> Answer:
    """The knowledge-base engine over a conversation: a question gets the vignette's answer."""
    from bot.triage.conversation import Answer as Reply, assess

    replies: tuple = ()
    assessment = assess(text)
    while assessment.question is not None and len(replies) < 2:
        replies += (Reply(assessment.question, text=if_asked),)
        assessment = assess(text, replies)
    d = assessment.disposition
    return Answer(d.urgency, d.service, len(replies)) if d else Answer(None, None, len(replies))


ENGINES = {"tables": tables_answer, "rules": rules_answer}


def load_half(half: str) -> list[dict]:
    items: list[dict] = []
    for path in sorted((VIGNETTES / half).glob("*.yml")):
        items += yaml.safe_load(path.read_text(encoding="utf-8"))
    return items


def scores(rows: list[tuple[dict, Answer]]) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) for each measure."""
    emergencies = [(v, a) for v, a in rows if v["urgency"] == "emergency"]
    others = [(v, a) for v, a in rows if v["urgency"] != "emergency"]
    return {
        "emergency sensitivity": (sum(a.urgency == "emergency" for _, a in emergencies), len(emergencies)),
        "under-triage": (sum(RANK.get(a.urgency, -1) < RANK[v["urgency"]] for v, a in rows), len(rows)),
        "non-emergencies sent to 999/A&E": (sum(a.urgency == "emergency" or a.service in EMERGENCY_SERVICES
                                                for _, a in others), len(others)),
        "urgency accuracy": (sum(a.urgency == v["urgency"] for v, a in rows), len(rows)),
        "service accuracy": (sum(a.service in v["services"] for v, a in rows), len(rows)),
        "answered after a question": (sum(a.questions > 0 for _, a in rows), len(rows)),
    }


def share(pair: tuple[int, int]) -> float | None:
    return pair[0] / pair[1] if pair[1] else None


def cell(pair: tuple[int, int]) -> str:
    s = share(pair)
    return "—" if s is None else f"{pair[0]}/{pair[1]} ({s:.0%})"


def run_vignettes(triage: Callable[[str, str], Answer], halves: tuple[str, ...] = HALVES) -> tuple[dict, dict, float]:
    """Scores per half, per (half, complaint), and mean ms per message."""
    per_half, per_complaint = {}, defaultdict(dict)
    spent, count = 0.0, 0
    for half in halves:
        rows = []
        for vignette in load_half(half):
            started = time.perf_counter()
            rows.append((vignette, triage(vignette["text"], vignette["if_asked"])))
            spent += time.perf_counter() - started
            count += 1
        per_half[half] = scores(rows)
        by_complaint = defaultdict(list)
        for vignette, answer in rows:
            by_complaint[vignette["complaint"]].append((vignette, answer))
        for complaint, complaint_rows in by_complaint.items():
            per_complaint[complaint][half] = scores(complaint_rows)
    return per_half, per_complaint, spent / max(count, 1) * 1000


def gate_failures(per_half: dict) -> list[str]:
    failures = []
    for measure, (op, bound) in GATE.items():
        value = share(per_half["heldout"][measure])
        if value is None or (value < bound if op == ">=" else value > bound):
            failures.append(f"held-out {measure} {value:.1%} (needs {op} {bound:.0%})")
    return failures


def public_sets(triage: Callable[[str, str], Answer]) -> list[str]:
    """The older public sets (written with the old rules): red flags on the first message, with no
    question, and the others after any question answered "none of these"."""
    def load(name: str) -> list[dict]:
        return yaml.safe_load((DATA / name).read_text())

    def first(text: str) -> Answer:
        return triage(text, "")  # no answer: a question stays unanswered

    rows = []
    red = load("red_flags.yml")
    caught = sum(first(i["text"]).urgency == "emergency" and first(i["text"]).questions == 0 for i in red)
    rows.append(f"| red flags → emergency on the first message | {caught}/{len(red)} | {caught / len(red):.1%} |")
    calm = load("not_emergencies.yml")
    kept = sum(triage(i["text"], "none of those").urgency != "emergency" for i in calm)
    rows.append(f"| not emergencies kept off 999 | {kept}/{len(calm)} | {kept / len(calm):.1%} |")
    for name in ("pharmacy_first_and_self_care.yml", "urgent.yml", "routine.yml"):
        items = load(name)
        right = 0
        for i in items:
            a = triage(i["text"], "none of those")
            right += (a.urgency, a.service) == (i["expect_urgency"], i["expect_service"])
        rows.append(f"| {name.removesuffix('.yml')}: urgency and service | {right}/{len(items)} | {right / len(items):.1%} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gate", action="store_true", help="exit 1 if the held-out half misses the thresholds")
    parser.add_argument("--engine", choices=list(ENGINES), default="tables",
                        help="tables: the knowledge-base engine (bot/triage/engine.py); rules: the old keyword rules")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md as it is")
    parser.add_argument("--development", action="store_true",
                        help="the development half only (while writing rules: the held-out half is for reports)")
    args = parser.parse_args()
    triage = ENGINES[args.engine]
    triage("warm up", "none")
    if args.development:
        per_half, per_complaint, ms = run_vignettes(triage, ("development",))
        for measure, pair in per_half["development"].items():
            print(f"{measure}: {cell(pair)}")
        for complaint in sorted(per_complaint):
            print(complaint, *(f"{m}={cell(per_complaint[complaint]['development'][m])}"
                               for m in ("emergency sensitivity", "urgency accuracy")))
        print(f"{ms:.2f} ms per message")
        return
    per_half, per_complaint, ms = run_vignettes(triage)
    measures = list(per_half["heldout"])
    lines = ["## Triage on the blind vignettes", "",
             f"Command: `.venv/bin/python benchmarks/triage_accuracy.py --engine {args.engine}`; run on "
             f"{dt.date.today().isoformat()}. Engine: {triage.__doc__.splitlines()[0]} "
             "Rules only, no Rasa. Vignettes: tests/data/vignettes (written blind from the NHS pages; "
             "the held-out half is never opened by rule writers). Thresholds for the held-out half "
             "(issue 13): emergency sensitivity ≥ 98%, non-emergencies sent to 999/A&E ≤ 5%, urgency "
             "accuracy ≥ 85%.", "",
             "| measure | development | held-out |", "|---|---|---|",
             *[f"| {m} | {cell(per_half['development'][m])} | {cell(per_half['heldout'][m])} |" for m in measures],
             "", f"Triage time: {ms:.2f} ms per message (mean over both halves, questions included).", "",
             "Per complaint (emergency sensitivity; urgency accuracy), development | held-out:", "",
             "| complaint | dev emergencies | dev urgency | held-out emergencies | held-out urgency |",
             "|---|---|---|---|---|"]
    for complaint in sorted(per_complaint):
        halves = per_complaint[complaint]
        lines.append(f"| {complaint} | " + " | ".join(
            cell(halves[h][m]) if h in halves else "—"
            for h in HALVES for m in ("emergency sensitivity", "urgency accuracy")) + " |")
    lines += ["", "### The older public sets (written with the old rules), same engine", "",
              "| set | right | share |", "|---|---|---|", *public_sets(triage)]
    print("\n".join(lines) if args.no_write else write_section("triage-accuracy", lines))
    failures = gate_failures(per_half)
    if args.gate and failures:
        print("Triage gate failed: " + "; ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
