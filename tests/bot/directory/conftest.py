"""Fixtures for the directory tests: a small valid directory, and ways to break it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"


@pytest.fixture
def valid_dir(tmp_path: Path) -> Path:
    """A copy of the valid fixture directory that a test may edit."""
    target = tmp_path / "directory"
    shutil.copytree(VALID, target)
    return target


@pytest.fixture
def sqlite_engine(tmp_path: Path):
    from bot.directory.db import engine_for

    return engine_for(f"sqlite:///{tmp_path / 'directory.db'}")
