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


def write_billion_laughs(path: Path, levels: int = 9) -> None:
    """The "billion laughs" shape: each line an alias list of the one before, 10**(levels+1) items
    once expanded from 13 short lines. The first alias is on line 4."""
    lines = ["name: Alpha Care Community", "borough: cheshire-west",
             "lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    path.write_text("\n".join(lines) + "\n")


FILLER_LINE = "Pasted from the minutes of the practice meeting - not YAML at all ".ljust(99, "x") + "\n"


def write_oversized(path: Path, megabytes: int = 30) -> int:
    """A valid community file with a pasted document after it, MEGABYTES in all. The pasted text
    is not YAML, so a parser that read it would report a syntax error on its first line. Returns
    the line on which the file passes the size limit."""
    from bot.directory.source import MAX_FILE_BYTES

    head = (VALID / "cheshire-west" / "alpha.yml").read_text()
    assert head.isascii() and len(FILLER_LINE) == 100
    count = (megabytes * 1_000_000 - len(head)) // len(FILLER_LINE)
    with path.open("w") as out:
        out.write(head)
        for _ in range(count // 1000):
            out.write(FILLER_LINE * 1000)
    return head.count("\n") + (MAX_FILE_BYTES - len(head)) // len(FILLER_LINE) + 1
