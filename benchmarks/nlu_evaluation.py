"""NLU quality: a held-out split (the CI gate) and 5-fold cross-validation (the report).

    .venv/bin/python benchmarks/nlu_evaluation.py --heldout            # exit 1 if intent macro-F1 < 0.90
    .venv/bin/python benchmarks/nlu_evaluation.py --cross-validation   # writes benchmarks/RESULTS.md

Both use Rasa's own commands (`rasa data split nlu`, `rasa train nlu`, `rasa test nlu`) with the
project's pipeline, red-flag component included, and read results/intent_report.json. The
headline Rasa logs is the weighted F1; the gate uses the macro average, so that small intents
count as much as large ones.
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
SEED = "42"


def run(*args: str, log: Path) -> None:
    with open(log, "w") as out:
        subprocess.run([RASA, *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True)


def reports(results: Path) -> tuple[dict, dict]:
    intents = json.loads((results / "intent_report.json").read_text())
    entity_file = results / "DIETClassifier_report.json"
    entities = json.loads(entity_file.read_text()) if entity_file.exists() else {}
    return intents, entities


def heldout() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        run("data", "split", "nlu", "--random-seed", SEED, "--training-fraction", "0.8", "--out", tmp,
            log=tmp_path / "split.log")
        run("train", "nlu", "--nlu", str(tmp_path / "training_data.yml"), "--out", str(tmp_path / "models"),
            "--fixed-model-name", "heldout", log=tmp_path / "train.log")
        run("test", "nlu", "--nlu", str(tmp_path / "test_data.yml"), "--model",
            str(tmp_path / "models" / "heldout.tar.gz"), "--out", str(tmp_path / "results"), log=tmp_path / "test.log")
        intents, _ = reports(tmp_path / "results")
    macro = intents["macro avg"]["f1-score"]
    print(f"held-out intent macro-F1 {macro:.3f} (gate {GATE:.2f}); weighted {intents['weighted avg']['f1-score']:.3f}")
    for name, row in sorted(intents.items()):
        if isinstance(row, dict) and "support" in row and "avg" not in name and name != "accuracy":
            print(f"  {name:20} F1 {row['f1-score']:.2f}  support {row['support']}")
    return macro


def cross_validation(folds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results"
        run("test", "nlu", "--nlu", "data/nlu", "--cross-validation", "--folds", str(folds), "--out", str(results),
            log=Path(tmp) / "cv.log")
        intents, entities = reports(results)
    rows = [f"| intents | {intents['macro avg']['f1-score']:.3f} | {intents['weighted avg']['f1-score']:.3f} |"]
    if entities:
        rows.append(f"| entities (DIET) | {entities['macro avg']['f1-score']:.3f} | {entities['weighted avg']['f1-score']:.3f} |")
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
