"""Read staff YAML files keeping line numbers, so that every problem can point at its line.

ruamel.yaml (a Rasa dependency) reads YAML 1.2, where "08:30" stays text (PyYAML's YAML 1.1
would read it as a number of minutes) and remembers where each key and item stands.

Files have limits, checked before anything is built from them, so that a wrong or hostile file
is refused at once with its line instead of running for minutes at gigabytes: a size cap checked
while reading, and a scanner and composer that refuse YAML aliases and deep nesting as they meet
them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.scanner import RoundTripScanner

NATIONAL = "national"

# About 40 times the largest Care Community file (13 KB for 21 services): room for about 1,000
# services, and small enough to check in seconds. The reader never holds more than this.
MAX_FILE_BYTES = 500_000
# The deepest field (services > opening_hours > exceptions > hours > opens) is 9 levels down.
MAX_DEPTH = 20
# Python refuses to turn longer digit strings into a number (sys.get_int_max_str_digits).
MAX_INT_DIGITS = 4300


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


class _Refused(ComposerError):
    """Valid YAML that a directory file may not contain; `problem` says why in plain words."""


TOO_DEEP = (f"lists and fields are nested more than {MAX_DEPTH} levels deep here, far deeper than any "
            "field of the directory: check the indentation and brackets")


class _LimitedScanner(RoundTripScanner):
    """Stops at the first bracket too deep: ruamel looks ahead over every open bracket, so a line
    of thousands of '[' would take minutes before the composer saw any of them."""

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(problem=TOO_DEEP, problem_mark=self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)


class _LimitedComposer(Composer):
    """Builds the tree as ruamel does, refusing at their line what could make it blow up.

    Aliases (*name, and merge keys <<: *name, which use them) repeat an earlier part of the file:
    nested, a few lines expand to billions of items (the "billion laughs"). The schema never needs
    them, so the first one is refused before anything is built from it. Nesting far deeper than
    any field would only exhaust Python's stack.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(problem=f"'*{event.anchor}' repeats an earlier part of the file (a YAML alias): "
                                   "directory files may not use aliases (*name) or merge keys (<<); "
                                   "write the details out in full", problem_mark=event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(problem=TOO_DEEP, problem_mark=event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_scalar_node(self, anchor: Any) -> Any:
        node = super().compose_scalar_node(anchor)
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_INT_DIGITS:
            raise _Refused(problem=f"a number more than {MAX_INT_DIGITS} digits long: if it is text, "
                                   "put it in quotes", problem_mark=node.start_mark)
        return node


def _read_text(path: Path) -> str:
    """The file's text, reading no more than MAX_FILE_BYTES + 1 bytes whatever its size."""
    with path.open("rb") as handle:
        head = handle.read(MAX_FILE_BYTES + 1)
    if len(head) > MAX_FILE_BYTES:
        line = head.count(b"\n", 0, MAX_FILE_BYTES) + 1
        raise YamlSyntaxError(path, line, f"the file passes {MAX_FILE_BYTES // 1000} KB on this line, the most "
                                          "a directory file may be, so it was not checked: remove what does not "
                                          "belong (a pasted document or picture?), or ask the team if your "
                                          "community needs more")
    return head.decode("utf-8")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Scanner, yaml.Composer = _LimitedScanner, _LimitedComposer
    return yaml


def read_source(path: Path, root: Path) -> SourceFile:
    try:
        raw = _yaml().load(_read_text(path))
    except _Refused as exc:
        raise YamlSyntaxError(path, exc.problem_mark.line + 1, exc.problem) from None
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
