"""NLU quality: a held-out test set (the CI gate) and 5-fold cross-validation (the report).

    .venv/bin/python benchmarks/nlu_evaluation.py --heldout            # exit 1 if intent macro-F1 < 0.90
    .venv/bin/python benchmarks/nlu_evaluation.py --cross-validation   # writes benchmarks/RESULTS.md

The held-out set (tests/nlu/heldout.yml) was written separately from the training data, and no
phrase in it is also a training example, so the model `make` trains (models/current.tar.gz) is
tested on it directly: CI trains once. Both use Rasa's own commands (`rasa test nlu`) with the
project's pipeline, red-flag component included, and read intent_report.json. The headline Rasa
logs is the weighted F1; the gate uses the macro average, so small intents count as much as large.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.results import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
GATE = 0.90
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
MODEL = ROOT / "models" / "current.tar.gz"


def run(*args: str, log: Path) -> None:
    with open(log, "w") as out:
        subprocess.run([RASA, *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True)


def reports(results: Path) -> tuple[dict, dict]:
    intents = json.loads((results / "intent_report.json").read_text())
    entity_file = results / "CRFEntityExtractor_report.json"  # the model's entity extractor (config.yml)
    entities = json.loads(entity_file.read_text()) if entity_file.exists() else {}
    return intents, entities


def heldout(model: Path = MODEL) -> float:
    results = ROOT / "results" / "nlu-heldout"
    run("test", "nlu", "--nlu", str(HELDOUT), "--model", str(model), "--out", str(results),
        log=ROOT / "var" / "nlu-heldout.log")
    intents, entities = reports(results)
    macro = intents["macro avg"]["f1-score"]
    print(f"held-out intent macro-F1 {macro:.3f} (gate {GATE:.2f}); weighted {intents['weighted avg']['f1-score']:.3f}"
          + (f"; entity macro-F1 {entities['macro avg']['f1-score']:.3f}" if entities else ""))
    for name, row in sorted(intents.items()):
        if isinstance(row, dict) and "support" in row and "avg" not in name and name != "accuracy":
            print(f"  {name:20} F1 {row['f1-score']:.2f}  support {row['support']}")
    errors = results / "intent_errors.json"
    if errors.exists():
        for e in json.loads(errors.read_text())[:40]:
            print(f"  wrong: {e['text']!r} is {e['intent']}, predicted {e['intent_prediction']['name']}")
    return macro


def cross_validation(folds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results"
        run("test", "nlu", "--nlu", "data/nlu", "--cross-validation", "--folds", str(folds), "--out", str(results),
            log=Path(tmp) / "cv.log")
        intents, entities = reports(results)
    rows = [f"| intents | {intents['macro avg']['f1-score']:.3f} | {intents['weighted avg']['f1-score']:.3f} |"]
    if entities:
        rows.append(f"| entities (CRF) | {entities['macro avg']['f1-score']:.3f} | {entities['weighted avg']['f1-score']:.3f} |")
    per_intent = [f"| {n} | {r['f1-score']:.2f} | {r['support']} |" for n, r in sorted(intents.items())
                  if isinstance(r, dict) and "support" in r and "avg" not in n]
    print(write_section("nlu-cross-validation", [
        f"## NLU {folds}-fold cross-validation", "",
        f"Command: `.venv/bin/python benchmarks/nlu_evaluation.py --cross-validation`; run on "
        f"{dt.date.today().isoformat()}. Test-fold predictions of the full pipeline (red-flag component included).", "",
        "| | macro F1 | weighted F1 |", "|---|---|---|", *rows, "",
        "| intent | F1 | examples |", "|---|---|---|", *per_intent]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", action="store_true")
    parser.add_argument("--cross-validation", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    if args.cross_validation:
        cross_validation(args.folds)
    if args.heldout:
        sys.exit(0 if heldout() >= GATE else 1)


if __name__ == "__main__":
    main()
