"""What `make setup` leaves behind that the assistant's start-up depends on."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


@pytest.mark.parametrize("package", ["rasa", "tensorflow", "sklearn", "spacy", "sanic"])
def test_installed_libraries_have_bytecode(package):
    """Each start compiled them from source without it (7 of 13 s): Makefile, $(VENV)/.compiled."""
    spec = importlib.util.find_spec(package)
    assert spec and spec.origin, package
    sources = list(Path(spec.origin).parent.rglob("*.py"))
    missing = [p for p in sources
               if not Path(importlib.util.cache_from_source(str(p))).exists()]
    assert sources and not missing, (f"{len(missing)} of {len(sources)} modules of {package} have no "
                                     f"bytecode, e.g. {missing[:3]}: run `make setup`")
