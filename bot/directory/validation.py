"""Check staff YAML before it can go live: the JSON Schema, then rules a schema cannot say.

Every problem names its file, line and field and says in plain words what to change, so that a
member of staff can fix it without reading code. Errors stop a load; warnings do not.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from bot.directory.source import (NATIONAL, SourceFile, YamlSyntaxError, directory_files,
                                  display_path, read_source)
from bot.directory.vocabulary import DAYS, schema

BOROUGHS = ("cheshire-west", "cheshire-east")
STALE_AFTER_DAYS = 365
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.field}: {self.message}"
        return text + " (warning)" if self.severity == "warning" else text


@dataclass
class Report:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_name(name: str) -> str:
    """How place names are compared: case, punctuation and spacing do not matter."""
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


# --- reporting helpers -------------------------------------------------------------------

class _Collector:
    """Collects problems for one file, turning a data path into a line and a readable field."""

    def __init__(self, source: SourceFile, report: Report):
        self.source, self.report = source, report

    def field_name(self, path: tuple) -> str:
        parts: list[str] = []
        node: Any = self.source.data
        for key in path:
            if isinstance(key, int):
                item = node[key] if isinstance(node, list) and key < len(node) else None
                label = item.get("id") if isinstance(item, dict) and parts and parts[-1] == "services" else None
                parts[-1] += f"[{label}]" if label else f"[{key + 1}]"
            else:
                parts.append(str(key))
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                node = None
        return ".".join(parts) or "(file)"

    def add(self, path: tuple, message: str, severity: str = "error") -> None:
        self.report.problems.append(Problem(self.source.display, self.source.line(path),
                                            self.field_name(path), message, severity))


# --- JSON Schema, in staff words ---------------------------------------------------------

def _pattern_hints() -> dict[str, str]:
    d = schema()["definitions"]
    service = d["service"]["properties"]
    return {
        d["time"]["pattern"]: "should be a time on the 24-hour clock, like 08:30 or 18:00",
        d["date"]["pattern"]: "should be a date written like 2026-03-31",
        d["id"]["pattern"]: "should be lower-case words joined by hyphens, like northwich-boots-witton-street",
        d["phone"]["properties"]["number"]["pattern"]: "should be digits and spaces only, like 01606 123456",
        service["location"]["properties"]["postcode"]["pattern"]: "should be a full postcode in capitals with a space, like CW9 5HR",
        service["website"]["pattern"]: "should be a web address starting with https://",
        service["email"]["pattern"]: "should be an email address like name@example.org",
        d["postcode_area"]["oneOf"][0]["pattern"]: "should be a postcode district like CW9, or a sector like CW10 1",
    }


TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number",
              "array": "a list (lines starting with -)", "object": "a group of fields",
              "boolean": "true or false"}


def _schema_message(err: ValidationError) -> tuple[tuple, str]:
    """The path and a plain-words message for one schema error."""
    if err.validator == "oneOf" and err.context:
        # Explain the branch that matches what was written (text vs a group of fields).
        kind = "object" if isinstance(err.instance, dict) else "string"
        same_kind = [e for e in err.context if e.schema.get("type") in (kind, None)
                     or e.relative_schema_path[0] == 0 and kind == "string"]
        return _schema_message(best_match(same_kind or err.context))
    path = tuple(err.absolute_path)
    value = err.instance
    match err.validator:
        case "required":
            name = re.search(r"'([^']+)'", err.message)
            return path, f"missing '{name.group(1) if name else err.message}'"
        case "additionalProperties":
            allowed = ", ".join(sorted(err.schema.get("properties", {})))
            extra = sorted(set(value) - set(err.schema.get("properties", {})))
            return path, f"unknown field '{', '.join(extra)}' (check the spelling; allowed here: {allowed})"
        case "enum":
            return path, f"'{value}' is not allowed here; use one of: {', '.join(map(str, err.validator_value))}"
        case "pattern":
            hint = _pattern_hints().get(err.validator_value, f"does not match {err.validator_value}")
            return path, f"'{value}' {hint}"
        case "type":
            return path, f"should be {TYPE_WORDS.get(err.validator_value, err.validator_value)}, not '{value}'"
        case "minItems":
            return path, "needs at least one entry"
        case "minLength":
            return path, f"'{value}' is too short"
        case "uniqueItems":
            return path, "lists the same value twice"
        case "minimum" | "maximum":
            return path, f"{value} is out of range ({err.validator} {err.validator_value})"
    return path, err.message


def _check_schema(source: SourceFile, out: _Collector) -> None:
    validator = jsonschema.Draft7Validator(schema())
    for err in sorted(validator.iter_errors(source.data), key=lambda e: list(map(str, e.absolute_path))):
        path, message = _schema_message(err)
        out.add(path, message)


# --- rules the schema cannot say ---------------------------------------------------------

def _phone_ok(number: str) -> bool:
    digits = number.replace(" ", "")
    if digits.startswith("080"):
        return 8 <= len(digits) <= 11  # freephone, including short ones such as 0800 1111
    if digits.startswith("0"):
        return len(digits) in (10, 11)  # UK geographic and mobile numbers
    if digits.startswith("1800"):
        return 5 <= len(digits) <= 16  # text relay: 18000, or 18001 before a number
    return 3 <= len(digits) <= 6  # short numbers: 999, 111, 116 123, 85258


def _session_spans(session: dict) -> Iterator[tuple[int, int, int]]:
    """(weekday, start minute, end minute) pieces; an overnight session spills into the next day."""
    opens, closes = minutes(session["opens"]), minutes(session["closes"])
    for day in session["days"]:
        d = DAYS.index(day)
        if session.get("overnight"):
            yield d, opens, 24 * 60
            yield (d + 1) % 7, 0, closes
        else:
            yield d, opens, closes


def _periods_overlap(a: dict, b: dict) -> bool:
    return (a.get("valid_from", "0000") <= b.get("valid_to", "9999")
            and b.get("valid_from", "0000") <= a.get("valid_to", "9999"))


def _check_hours(opens: str, closes: str, overnight: bool, path: tuple, out: _Collector) -> bool:
    if overnight:
        if minutes(closes) > minutes(opens):
            out.add(path + ("overnight",), f"overnight is true but it closes ({closes}) before midnight; remove overnight")
            return False
        return True
    if minutes(closes) <= minutes(opens):
        out.add(path + ("closes",), f"closes ({closes}) before it opens ({opens}); if it closes after "
                                    "midnight, add 'overnight: true'")
        return False
    return True


def _check_opening_hours(hours: dict, path: tuple, out: _Collector) -> None:
    regular = hours.get("regular", [])
    if hours.get("always_open") and regular:
        out.add(path + ("always_open",), "always_open is true but regular hours are given too; keep one")
    good: list[tuple[int, dict]] = []
    for i, session in enumerate(regular):
        spath = path + ("regular", i)
        ok = _check_hours(session["opens"], session["closes"], session.get("overnight", False), spath, out)
        if session.get("valid_from") and session.get("valid_to") and session["valid_to"] < session["valid_from"]:
            out.add(spath + ("valid_to",), f"valid_to ({session['valid_to']}) is before valid_from ({session['valid_from']})")
            ok = False
        if ok:
            good.append((i, session))
    for n, (i, a) in enumerate(good):
        for j, b in good[:n]:
            if not _periods_overlap(a, b):
                continue
            clash = [DAYS[d] for d, s1, e1 in _session_spans(a) for d2, s2, e2 in _session_spans(b)
                     if d == d2 and s1 < e2 and s2 < e1]
            if clash:
                out.add(path + ("regular", i), f"overlaps session {j + 1} on {', '.join(sorted(set(clash), key=DAYS.index))}; "
                                               "sessions on the same day must not overlap")
    for i, hrs in enumerate(hours.get("bank_holidays") if isinstance(hours.get("bank_holidays"), list) else []):
        _check_hours(hrs["opens"], hrs["closes"], False, path + ("bank_holidays", i), out)
    for i, exc in enumerate(hours.get("exceptions", [])):
        epath = path + ("exceptions", i)
        if exc.get("to") and exc["to"] < exc["date"]:
            out.add(epath + ("to",), f"the last day ({exc['to']}) is before the first ({exc['date']})")
        if exc.get("closed") and exc.get("hours"):
            out.add(epath, "says closed and gives hours; keep one")
        elif not exc.get("closed") and not exc.get("hours"):
            out.add(epath, "say 'closed: true' or give the hours for that day")
        for k, hrs in enumerate(exc.get("hours", [])):
            _check_hours(hrs["opens"], hrs["closes"], False, epath + ("hours", k), out)


def _check_service(svc: dict, path: tuple, org_ids: set[str], today: dt.date, out: _Collector) -> None:
    if svc.get("organisation") and svc["organisation"] not in org_ids:
        out.add(path + ("organisation",), f"'{svc['organisation']}' is not listed under organisations in this file")
    for i, phone in enumerate(svc.get("phones", [])):
        if not _phone_ok(phone["number"]):
            out.add(path + ("phones", i, "number"), f"'{phone['number']}' is not a UK phone number "
                                                    "(like 01606 123456, or a short number like 111)")
    elig = svc.get("eligibility", {})
    if "min_age" in elig and "max_age" in elig and elig["min_age"] > elig["max_age"]:
        out.add(path + ("eligibility", "min_age"), f"min_age ({elig['min_age']}) is above max_age ({elig['max_age']})")
    if "opening_hours" in svc:
        _check_opening_hours(svc["opening_hours"], path + ("opening_hours",), out)
    else:
        out.add(path, "no opening_hours: residents cannot be told when it is open", "warning")
    verified = svc.get("last_verified")
    if not verified:
        out.add(path, "no last_verified date: add the date someone last checked these details", "warning")
    else:
        when = dt.date.fromisoformat(verified)
        if when > today:
            out.add(path + ("last_verified",), f"{verified} is in the future")
        elif (today - when).days > STALE_AFTER_DAYS:
            out.add(path + ("last_verified",), f"last checked {verified}, over 12 months ago: please check the details again", "warning")


def _check_file(source: SourceFile, today: dt.date, out: _Collector) -> None:
    data = source.data
    national = source.borough is None
    if national and source.community_id != NATIONAL:
        out.add((), f"files at the top of the directory must be national.yml; put a Care Community file in {' or '.join(BOROUGHS)}/")
    if not national:
        if source.borough not in BOROUGHS:
            out.add((), f"the folder '{source.borough}' is not one of {', '.join(BOROUGHS)}")
        if not ID_RE.match(source.community_id):
            out.add((), f"the file name '{source.path.name}' should be the community id in lower case with hyphens, like chester-central.yml")
        if data.get("borough") != source.borough:
            out.add(("borough",), f"should be '{source.borough}', the folder this file is in")
        for key in ("places", "postcodes"):
            if not data.get(key):
                out.add((key,), f"a Care Community file must list its {key}")
    org_ids: set[str] = set()
    for i, org in enumerate(data.get("organisations", [])):
        if org["id"] in org_ids:
            out.add(("organisations", i, "id"), f"the id '{org['id']}' is used twice in this file")
        org_ids.add(org["id"])
    for i, svc in enumerate(data.get("services", [])):
        _check_service(svc, ("services", i), org_ids, today, out)


def _place_claims(source: SourceFile) -> Iterator[tuple[str, tuple, bool]]:
    for i, place in enumerate(source.data.get("places", [])):
        if isinstance(place, str):
            yield place, ("places", i), False
        else:
            yield place["name"], ("places", i, "name"), place.get("ambiguous", False)
            for k, alias in enumerate(place.get("also_known_as", [])):
                yield alias, ("places", i, "also_known_as", k), place.get("ambiguous", False)


def _postcode_claims(source: SourceFile) -> Iterator[tuple[str, tuple, bool]]:
    for i, code in enumerate(source.data.get("postcodes", [])):
        if isinstance(code, str):
            yield code, ("postcodes", i), False
        else:
            yield code["code"], ("postcodes", i, "code"), code.get("ambiguous", False)


def _check_across_files(files: list[SourceFile], collectors: dict[str, _Collector],
                        communities: set[str]) -> None:
    service_ids: dict[str, tuple[SourceFile, tuple]] = {}
    org_names: dict[str, tuple[str, SourceFile]] = {}
    for f in files:
        out = collectors[f.display]
        for i, svc in enumerate(f.data.get("services", [])):
            first = service_ids.setdefault(svc["id"], (f, ("services", i, "id")))
            if first[0] is not f or first[1] != ("services", i, "id"):
                out.add(("services", i, "id"), f"the id '{svc['id']}' is already used in "
                                               f"{first[0].display}:{first[0].line(first[1])}; ids must be unique")
        for i, org in enumerate(f.data.get("organisations", [])):
            name, where = org_names.setdefault(org["id"], (org["name"], f))
            if name != org["name"]:
                out.add(("organisations", i, "name"), f"the organisation '{org['id']}' is called '{name}' in "
                                                      f"{where.display}; use one name or a different id")
        for i, neighbour in enumerate(f.data.get("neighbours", [])):
            if neighbour == f.community_id:
                out.add(("neighbours", i), "a community cannot be its own neighbour")
            elif len(communities) > 1 and neighbour not in communities:
                out.add(("neighbours", i), f"there is no Care Community file called '{neighbour}'")

    for what, claims_of in (("place", _place_claims), ("postcode", _postcode_claims)):
        claims: dict[str, list[tuple[SourceFile, tuple, bool, str]]] = defaultdict(list)
        for f in files:
            for name, path, ambiguous in claims_of(f):
                key = normalise_name(name) if what == "place" else name
                claims[key].append((f, path, ambiguous, name))
        for key, owners in claims.items():
            in_files = {o[0].community_id for o in owners}
            if len(in_files) == 1:
                if len(owners) > 1:
                    f, path, _, name = owners[1]
                    collectors[f.display].add(path, f"'{name}' is listed twice in this file")
                elif owners[0][2] and len(communities) > 1:
                    f, path, _, name = owners[0]
                    collectors[f.display].add(path, f"'{name}' is marked ambiguous but no other Care Community lists it", "warning")
                continue
            for f, path, ambiguous, name in owners:
                if not ambiguous:
                    others = ", ".join(sorted(o[0].display for o in owners if o[0] is not f))
                    collectors[f.display].add(path, f"'{name}' is also claimed by {others}; if both are right, "
                                                    f"mark it 'ambiguous: true' in every file so residents are asked which one")


def validation_root(path: Path) -> Path:
    """The directory root for PATH: itself if a folder, else the folder that holds national.yml."""
    if path.is_dir():
        return path
    for parent in path.parents:
        if (parent / "national.yml").exists() or (parent / "schema").is_dir():
            return parent
    return path.parent


def validate_directory(path: Path, today: dt.date | None = None) -> Report:
    """Check every file under PATH (or the one file PATH) and the rules that span files."""
    today = today or dt.date.today()
    root = validation_root(path)
    paths = directory_files(path) if path.is_dir() else [path]
    report = Report()
    if not paths:
        report.problems.append(Problem(str(path), 1, "(folder)", "no .yml files found"))
        return report
    collectors: dict[str, _Collector] = {}
    for p in paths:
        try:
            source = read_source(p, root)
        except YamlSyntaxError as exc:
            report.problems.append(Problem(display_path(exc.path), exc.line, "(file)", exc.message))
            continue
        if not isinstance(source.data, dict):
            report.problems.append(Problem(display_path(p), 1, "(file)", "the file is empty or is not a set of fields"))
            continue
        out = collectors[source.display] = _Collector(source, report)
        before = len(report.problems)
        _check_schema(source, out)
        if len(report.problems) == before:  # the rules below assume the schema's shape
            _check_file(source, today, out)
            report.files.append(source)
    communities = {p.stem for p in paths if p.parent != root}
    _check_across_files(report.files, collectors, communities)
    report.problems.sort(key=lambda p: (p.file, p.line, p.severity))
    return report
