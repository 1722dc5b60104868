"""Every validation rule, each shown by a broken fixture that names the problem it must cause.

Each file in fixtures/broken/ replaces cheshire-west/alpha.yml in a copy of the valid fixture;
its first line says `# expect-error: LINE: FIELD: MESSAGE` (or expect-warning).
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.directory.validation import validate_directory
from tests.bot.directory.conftest import BROKEN, VALID

TODAY = dt.date(2026, 11, 23)
CASES = sorted(BROKEN.glob("*.yml"))


def expectation(path: Path) -> tuple[str, int, str]:
    first = path.read_text().splitlines()[0]
    kind, rest = first.removeprefix("# expect-").split(": ", 1)
    line, field_and_message = rest.split(": ", 1)
    return kind, int(line), field_and_message


def test_valid_fixture_has_no_errors():
    report = validate_directory(VALID, TODAY)
    assert report.errors == [], [str(p) for p in report.errors]
    assert len(report.files) == 3


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_broken_fixture_reports_its_problem(case: Path, valid_dir: Path):
    shutil.copy(case, valid_dir / "cheshire-west" / "alpha.yml")
    kind, line, expected = expectation(case)
    report = validate_directory(valid_dir, TODAY)
    found = [p for p in report.problems if p.file.endswith("alpha.yml") and p.line == line
             and f"{p.field}: {p.message}".startswith(expected)]
    assert found, f"expected {kind} at line {line}: {expected}\n got: " + "\n".join(map(str, report.problems))
    assert found[0].severity == kind
    if kind == "warning":
        assert report.ok, "a warning alone must not stop a load"
    else:
        assert not report.ok


def test_there_is_a_fixture_for_every_rule():
    """The rules the issue names, each with its broken fixture."""
    names = {c.stem for c in CASES}
    assert {"closes_before_opens", "overlapping_sessions", "unknown_service_type", "duplicate_service_id",
            "place_claimed_twice", "phone_too_short", "last_verified_stale"} <= names


def test_ambiguity_marked_in_both_files_is_accepted(valid_dir: Path):
    """Sharedville and CW10 are in both fixture communities, marked ambiguous: no error."""
    report = validate_directory(valid_dir, TODAY)
    assert not [p for p in report.problems if "Sharedville" in p.message or "CW10" in p.message]


def test_ambiguity_marked_in_only_one_file_is_an_error(valid_dir: Path):
    beta = valid_dir / "cheshire-east" / "beta.yml"
    beta.write_text(beta.read_text().replace("  - name: Sharedville\n    ambiguous: true\n", "  - name: Sharedville\n"))
    report = validate_directory(valid_dir, TODAY)
    assert any(p.file.endswith("beta.yml") and "'Sharedville' is also claimed by" in p.message for p in report.errors)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "directory", *args], capture_output=True, text=True,
                          cwd=cwd or Path.cwd(), timeout=120)


def test_cli_prints_file_line_field_message_and_exits_1_on_error(valid_dir: Path):
    shutil.copy(BROKEN / "closes_before_opens.yml", valid_dir / "cheshire-west" / "alpha.yml")
    result = run_cli("validate", str(valid_dir))
    assert result.returncode == 1
    assert f"{valid_dir / 'cheshire-west' / 'alpha.yml'}:17: services[alpha-surgery].opening_hours.regular[1].closes: " \
           "closes (08:00) before it opens (09:00)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_exits_0_with_only_warnings(valid_dir: Path):
    shutil.copy(BROKEN / "last_verified_stale.yml", valid_dir / "cheshire-west" / "alpha.yml")
    result = run_cli("validate", str(valid_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(warning)" in result.stdout


def test_cli_validates_a_single_file():
    result = run_cli("validate", str(VALID / "cheshire-west" / "alpha.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_shipped_directory_has_no_errors():
    report = validate_directory(Path("services_directory"))
    assert report.errors == [], "\n".join(map(str, report.errors))
