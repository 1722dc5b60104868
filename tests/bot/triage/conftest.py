"""A small made-up knowledge base (fixtures/knowledge) for the reader's and engine's tests, with
the shipped context rules: the tests check the mechanism, the shipped tables are checked by the
vignettes (benchmarks/triage_accuracy.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.triage.engine import Engine
from bot.triage.knowledge import KNOWLEDGE, load
from bot.triage.reader import Reader

FIXTURE = Path(__file__).parent / "fixtures" / "knowledge"


@pytest.fixture(scope="session")
def fixture_kb(tmp_path_factory):
    root = tmp_path_factory.mktemp("knowledge")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    shutil.copy(KNOWLEDGE / "context.yml", root / "context.yml")  # the shipped context rules
    (root / "schema").mkdir(exist_ok=True)
    return load(root)


@pytest.fixture(scope="session")
def reader(fixture_kb) -> Reader:
    return Reader(fixture_kb)


@pytest.fixture(scope="session")
def engine(fixture_kb) -> Engine:
    return Engine(fixture_kb)
