"""The clinical knowledge base: findings, presenting complaints, populations and context rules.

Clinical knowledge is data a clinician reviews (bot/triage/knowledge/*.yml), not Python. This
module reads it with line numbers (the directory's reader, bot/directory/source.py, with its size
and alias limits), checks it against the JSON Schema and across files (every id used is defined
once; the last rule of a complaint is its `otherwise`; a 999 answer sends to 999 or A&E), and
builds the read-only tables the findings reader and the engine use. Problems are reported as
`file:line: message`, like the directory's.

    python -m bot.triage.knowledge        # check the files; exit 1 with the problems
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

import yaml

from bot.directory.source import MAX_FILE_BYTES, YamlSyntaxError, display_path, read_source

KNOWLEDGE = Path(__file__).resolve().parent / "knowledge"
SCHEMA_PATH = KNOWLEDGE / "schema" / "knowledge.schema.json"
URGENCIES = ("self_care", "routine", "urgent", "emergency")  # least to most urgent
RANK = {u: i for i, u in enumerate(URGENCIES)}
EMERGENCY_SERVICES = ("call_999", "a_and_e")


@dataclass(frozen=True)
class Range:
    at_least: float | None = None
    under: float | None = None

    def holds(self, value: float | None) -> bool | None:
        """None when the value is not known."""
        if value is None:
            return None
        return (self.at_least is None or value >= self.at_least) and (self.under is None or value < self.under)


@dataclass(frozen=True)
class Condition:
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    population: tuple[str, ...] = ()
    age: Range | None = None
    sex: str | None = None
    pregnancy_weeks: Range | None = None
    temperature: Range | None = None
    duration_hours: Range | None = None

    @property
    def findings(self) -> tuple[str, ...]:
        return self.any + self.all


@dataclass(frozen=True)
class Rule:
    when: Condition | None  # None: `otherwise`
    urgency: str
    service: str
    reason: str
    source: str
    offer: str | None = None
    red_flag: str | None = None
    where: str = ""  # file and rule number, for review


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Complaint:
    id: str
    title: str
    source: str
    raised_by: tuple[str, ...]
    rules: tuple[Rule, ...]
    ask: Question | None = None


@dataclass(frozen=True)
class Finding:
    id: str
    label: str
    says: tuple[str, ...]
    not_when: tuple[str, ...] = ()
    counts_when_over: bool = False  # still counts when it has stopped (TIA, a first fit)
    lasting: bool = False  # a lasting condition: counts when told as history ("diabetic for years")


@dataclass(frozen=True)
class Population:
    id: str
    label: str
    when: Condition


@dataclass(frozen=True)
class Modifier:
    id: str
    when: Condition
    at_least: str
    service: str
    reason: str
    source: str
    complaints: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContextRule:
    phrases: tuple[str, ...]
    category: str
    direction: str
    max_scope: int | None = None
    applies_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Knowledge:
    findings: dict[str, Finding]
    complaints: dict[str, Complaint]
    populations: dict[str, Population]
    modifiers: tuple[Modifier, ...]
    context: tuple[ContextRule, ...]
    raised_by: dict[str, tuple[str, ...]] = field(default_factory=dict)  # finding -> complaints


class KnowledgeError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _condition(data: dict[str, Any]) -> Condition:
    ranges = {k: Range(**data[k]) for k in ("age", "pregnancy_weeks", "temperature", "duration_hours") if k in data}
    return Condition(**{k: tuple(data.get(k, ())) for k in ("any", "all", "none", "population")},
                     sex=data.get("sex"), **ranges)


def knowledge_files(root: Path = KNOWLEDGE) -> list[Path]:
    return sorted(p for p in root.rglob("*.yml") if "schema" not in p.relative_to(root).parts)


KINDS = ("findings", "complaint", "populations", "context")


@lru_cache(maxsize=None)
def _validator(kind: str | None) -> jsonschema.Draft7Validator:
    """The schema for one kind of file (its definition), or the whole schema for a file that
    names no known kind."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    if kind in KINDS:
        schema = {**schema, "oneOf": [{"$ref": f"#/definitions/{kind}_file"}]}
    return jsonschema.Draft7Validator(schema)


class Source:
    """One file's plain data, read with libyaml (the knowledge base is about 20,000 lines: ruamel's
    pure-Python parser took 20 s). Line numbers come from the directory's line-keeping reader,
    only when there is a problem to point at."""

    def __init__(self, path: Path, root: Path):
        self.path, self.root = path, root
        self.display = display_path(path)
        self._located = None
        text = path.read_bytes()[:MAX_FILE_BYTES + 1]
        if len(text) > MAX_FILE_BYTES or b"*" in text:
            read_source(path, root)  # refuses an oversized file or an alias (*name) at its line
        try:
            self.data = yaml.load(text.decode("utf-8"), Loader=yaml.CSafeLoader)
        except (yaml.YAMLError, UnicodeDecodeError):
            read_source(path, root)  # raises YamlSyntaxError with the line
            raise

    def line(self, where: tuple) -> int:
        if self._located is None:
            self._located = read_source(self.path, self.root)
        return self._located.line(where)


def _schema_problems(source: Source) -> list[str]:
    """One line per problem, at the line the schema error points to."""
    kind = source.data.get("kind") if isinstance(source.data, dict) else None
    problems = []
    for error in _validator(kind if kind in KINDS else None).iter_errors(source.data):
        if kind not in KINDS:
            problems.append(f"{source.display}:1: the file must start with 'kind:' and one of {', '.join(KINDS)}")
            break
        for e in error.context or [error]:
            where = tuple(e.absolute_path)
            what = ".".join(str(p) for p in where) or "the file"
            problems.append(f"{source.display}:{source.line(where)}: {what}: {e.message[:300]}")
    return problems


def load(root: Path = KNOWLEDGE) -> Knowledge:
    """Read and check every file; KnowledgeError lists every problem found."""
    problems: list[str] = []
    sources: list[Source] = []
    for path in knowledge_files(root):
        try:
            source = Source(path, root)
        except YamlSyntaxError as exc:
            problems.append(f"{display_path(exc.path)}:{exc.line}: {exc.message}")
            continue
        found = _schema_problems(source)
        problems += found
        if not found:
            sources.append(source)
    if problems:
        raise KnowledgeError(problems)

    findings: dict[str, Finding] = {}
    defined_at: dict[str, tuple] = {}
    complaints: dict[str, Complaint] = {}
    populations: dict[str, Population] = {}
    modifiers: list[Modifier] = []
    context: list[ContextRule] = []
    uses: list[tuple[str, str, tuple]] = []  # (kind, id, where: (source, path))

    def at(source: Source, path: tuple) -> tuple:
        return source, path  # turned into file:line only for a problem (parsing for lines is slow)

    def note_condition(source: Source, path: tuple, cond: dict) -> None:
        for key in ("any", "all", "none"):
            for i, fid in enumerate(cond.get(key, ())):
                uses.append(("finding", fid, at(source, path + (key, i))))
        for i, pid in enumerate(cond.get("population", ())):
            uses.append(("population", pid, at(source, path + ("population", i))))

    def where(place: tuple) -> str:
        source, path = place
        return f"{source.display}:{source.line(path)}"

    for source in sources:
        data = source.data
        kind = data["kind"]
        if kind == "findings":
            for i, f in enumerate(data["findings"]):
                place = at(source, ("findings", i))
                if f["id"] in findings:
                    problems.append(f"{where(place)}: finding '{f['id']}' is defined twice "
                                    f"(first at {where(defined_at[f['id']])})")
                    continue
                findings[f["id"]] = Finding(f["id"], f["label"], tuple(f["says"]), tuple(f.get("not_when", ())),
                                            bool(f.get("counts_when_over")), bool(f.get("lasting")))
                defined_at[f["id"]] = place
        elif kind == "complaint":
            cid = data["id"]
            if cid in complaints:
                problems.append(f"{where(at(source, ('id',)))}: complaint '{cid}' is defined twice")
                continue
            if source.path.stem != cid:
                problems.append(f"{where(at(source, ('id',)))}: complaint '{cid}' must be in a file named {cid}.yml")
            rules = []
            for i, r in enumerate(data["rules"]):
                place = at(source, ("rules", i))
                last = i == len(data["rules"]) - 1
                if ("otherwise" in r) != last:
                    problems.append(f"{where(place)}: " + ("only the last rule may be 'otherwise: true'" if not last
                                                           else "the last rule must be 'otherwise: true'"))
                if (r["urgency"] == "emergency") != (r["service"] in EMERGENCY_SERVICES):
                    problems.append(f"{where(place)}: an emergency sends to call_999 or a_and_e, and only an "
                                    "emergency does")
                if "when" in r:
                    note_condition(source, ("rules", i, "when"), r["when"])
                rules.append(Rule(_condition(r["when"]) if "when" in r else None, r["urgency"], r["service"],
                                  r["reason"], r["source"], r.get("offer"), r.get("red_flag"),
                                  f"{source.display}, rule {i + 1}"))
            for i, fid in enumerate(data["raised_by"]):
                uses.append(("finding", fid, at(source, ("raised_by", i))))
            ask = None
            if "ask" in data:
                for i, fid in enumerate(data["ask"]["options"]):
                    uses.append(("finding", fid, at(source, ("ask", "options", i))))
                ask = Question(data["ask"]["text"], tuple(data["ask"]["options"]))
            complaints[cid] = Complaint(cid, data["title"], data["source"], tuple(data["raised_by"]), tuple(rules), ask)
        elif kind == "populations":
            for i, p in enumerate(data["populations"]):
                note_condition(source, ("populations", i, "when"), p["when"])
                populations[p["id"]] = Population(p["id"], p["label"], _condition(p["when"]))
            for i, m in enumerate(data["modifiers"]):
                note_condition(source, ("modifiers", i, "when"), m["when"])
                for j, cid in enumerate(m.get("complaints", ())):
                    uses.append(("complaint", cid, at(source, ("modifiers", i, "complaints", j))))
                modifiers.append(Modifier(m["id"], _condition(m["when"]), m["at_least"], m["service"], m["reason"],
                                          m["source"], tuple(m.get("complaints", ()))))
        elif kind == "context":
            for i, r in enumerate(data["rules"]):
                for j, fid in enumerate(r.get("applies_to", ())):
                    uses.append(("finding", fid, at(source, ("rules", i, "applies_to", j))))
                context.append(ContextRule(tuple(r["phrases"]), r["category"], r["direction"], r.get("max_scope"),
                                           tuple(r.get("applies_to", ()))))

    known = {"finding": findings, "population": populations, "complaint": complaints}
    for kind, name, place in uses:
        if name not in known[kind]:
            problems.append(f"{where(place)}: no {kind} '{name}' is defined")
    if problems:
        raise KnowledgeError(problems)
    raised: dict[str, list[str]] = {}
    for complaint in complaints.values():
        for fid in complaint.raised_by:
            raised.setdefault(fid, []).append(complaint.id)
    return Knowledge(findings, complaints, populations, tuple(modifiers), tuple(context),
                     {k: tuple(v) for k, v in raised.items()})


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    """The shipped knowledge base, read once per process."""
    return load()


def main() -> None:
    try:
        kb = load()
    except KnowledgeError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {display_path(KNOWLEDGE)}", file=sys.stderr)
        sys.exit(1)
    print(f"{display_path(KNOWLEDGE)}: {len(kb.findings)} findings, {len(kb.complaints)} complaints, "
          f"{len(kb.populations)} populations, {len(kb.modifiers)} modifiers, {len(kb.context)} context rules: ok")


if __name__ == "__main__":
    main()
