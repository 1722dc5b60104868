"""Read staff YAML files keeping line numbers, so that every problem can point at its line.

ruamel.yaml (a Rasa dependency) reads YAML 1.2, where "08:30" stays text (PyYAML's YAML 1.1
would read it as a number of minutes) and remembers where each key and item stands.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

NATIONAL = "national"


@dataclass
class SourceFile:
    """One parsed file: plain data for checking and loading, and the raw tree for line numbers."""
    path: Path
    root: Path
    raw: Any
    data: Any

    @property
    def community_id(self) -> str:
        return self.path.stem

    @property
    def borough(self) -> str | None:
        """The folder the file sits in (cheshire-west, cheshire-east), None for national.yml."""
        rel = self.path.relative_to(self.root)
        return rel.parts[0] if len(rel.parts) > 1 else None

    @property
    def display(self) -> str:
        return display_path(self.path)

    def line(self, path: tuple) -> int:
        """1-based line of the deepest node on `path` that exists."""
        node, line = self.raw, 1
        for key in path:
            try:
                if isinstance(key, int):
                    line = node.lc.item(key)[0] + 1
                else:
                    line = node.lc.key(key)[0] + 1
                node = node[key]
            except (AttributeError, KeyError, IndexError, TypeError):
                break
        return line


def display_path(path: Path) -> str:
    """Relative to where the command runs, when it can be: shorter for staff to read."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class YamlSyntaxError(Exception):
    def __init__(self, path: Path, line: int, message: str):
        super().__init__(message)
        self.path, self.line, self.message = path, line, message


def to_plain(node: Any) -> Any:
    """ruamel's commented maps to dicts and lists; dates to ISO text, as the schema expects."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()[:10]
    return node


def read_source(path: Path, root: Path) -> SourceFile:
    try:
        raw = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = f"the file is not valid YAML: {exc.problem or exc}"
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            message += f" ({exc.context} on line {exc.context_mark.line + 1})"
        raise YamlSyntaxError(path, line, message) from None
    except UnicodeDecodeError:
        raise YamlSyntaxError(path, 1, "the file is not UTF-8 text") from None
    return SourceFile(path=path, root=root, raw=raw, data=to_plain(raw) if raw is not None else None)


def directory_files(root: Path) -> list[Path]:
    """national.yml and every community file, in a stable order; the schema folder is not data."""
    return sorted(p for p in root.rglob("*.yml") if "schema" not in p.relative_to(root).parts)
