"""Reading the staff YAML: files that would run for minutes at gigabytes are refused at their line.

Memory is measured with tracemalloc (Python's own allocations), not time: a refused file must
never be held or expanded, so the peak stays far below the file or its expansion.
"""
from __future__ import annotations

import datetime as dt
import tracemalloc
from pathlib import Path

from bot.directory.source import MAX_FILE_BYTES
from bot.directory.validation import Report, validate_directory
from tests.bot.directory.conftest import FILLER_LINE, write_billion_laughs, write_oversized

TODAY = dt.date(2026, 11, 23)
BOUNDED_PEAK_BYTES = 5_000_000  # the three small fixture files parse in well under this


def validate_measuring_memory(path: Path) -> tuple[Report, int]:
    tracemalloc.start()
    try:
        report = validate_directory(path, TODAY)
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def alpha_problems(report: Report) -> list[str]:
    return [f"{p.file.rsplit('/', 1)[-1]}:{p.line}: {p.field}: {p.message}" for p in report.problems
            if p.file.endswith("alpha.yml")]


def test_billion_laughs_is_refused_at_its_first_alias_before_anything_expands(valid_dir: Path):
    write_billion_laughs(valid_dir / "cheshire-west" / "alpha.yml")
    report, peak = validate_measuring_memory(valid_dir)
    assert alpha_problems(report) == [
        "alpha.yml:4: (file): '*lol0' repeats an earlier part of the file (a YAML alias): directory files "
        "may not use aliases (*name) or merge keys (<<); write the details out in full"]
    assert not report.ok
    assert "alpha" not in {f.community_id for f in report.files}
    assert peak < BOUNDED_PEAK_BYTES


def test_an_alias_a_member_of_staff_might_write_is_refused_at_its_line(valid_dir: Path):
    """Reusing one service's hours for another: harmless here, but aliases are refused alike."""
    alpha = valid_dir / "cheshire-west" / "alpha.yml"
    lines = alpha.read_text().splitlines(keepends=True)
    assert lines[25] == "    opening_hours:\n" and lines[71:74] == [
        "    opening_hours:\n", "      regular:\n", '        - {days: [mon], opens: "09:00", closes: "17:00"}\n']
    lines[25] = "    opening_hours: &surgery_hours\n"
    lines[71:74] = ["    opening_hours: *surgery_hours\n"]
    alpha.write_text("".join(lines))
    report = validate_directory(valid_dir, TODAY)
    assert [p for p in alpha_problems(report) if p.startswith("alpha.yml:72: (file): '*surgery_hours' repeats")]
    assert not report.ok


def test_a_30_mb_file_is_refused_at_the_limit_without_being_read_or_parsed(valid_dir: Path):
    line = write_oversized(valid_dir / "cheshire-west" / "alpha.yml", megabytes=30)
    report, peak = validate_measuring_memory(valid_dir)
    assert alpha_problems(report) == [
        f"alpha.yml:{line}: (file): the file passes {MAX_FILE_BYTES // 1000} KB on this line, the most a "
        "directory file may be, so it was not checked: remove what does not belong (a pasted document or "
        "picture?), or ask the team if your community needs more"]  # no syntax error: never parsed
    assert not report.ok
    assert peak < BOUNDED_PEAK_BYTES  # neither the 30 MB nor the 500 KB that was looked at were parsed


def test_a_file_just_under_the_limit_is_read(valid_dir: Path):
    alpha = valid_dir / "cheshire-west" / "alpha.yml"
    text = alpha.read_text()
    comment = "# " + FILLER_LINE
    alpha.write_text(text + comment * ((MAX_FILE_BYTES - len(text)) // len(comment)))
    assert MAX_FILE_BYTES - len(comment) < alpha.stat().st_size <= MAX_FILE_BYTES
    report = validate_directory(valid_dir, TODAY)
    assert report.ok, alpha_problems(report)
    assert "alpha" in {f.community_id for f in report.files}


def test_nesting_deeper_than_any_field_is_refused_at_its_line(valid_dir: Path):
    """400 KB of brackets, under the size limit: ruamel would look ahead over all of them."""
    alpha = valid_dir / "cheshire-west" / "alpha.yml"
    brackets = "[" * 200_000 + "]" * 200_000
    alpha.write_text(alpha.read_text().replace("neighbours: [beta]", "neighbours: " + brackets))
    report = validate_directory(valid_dir, TODAY)
    assert alpha_problems(report) == [
        "alpha.yml:4: (file): lists and fields are nested more than 20 levels deep here, far deeper than any "
        "field of the directory: check the indentation and brackets"]


def test_a_number_too_long_for_python_is_refused_at_its_line(valid_dir: Path):
    alpha = valid_dir / "cheshire-west" / "alpha.yml"
    alpha.write_text(alpha.read_text().replace("{sex: female, min_age: 16,", "{sex: female, min_age: " + "1" * 5000 + ","))
    report = validate_directory(valid_dir, TODAY)
    assert alpha_problems(report) == [
        "alpha.yml:61: (file): a number more than 4300 digits long: if it is text, put it in quotes"]
