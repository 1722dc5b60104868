"""Staff edits go live: edit YAML, `python -m bot directory load`, and the running assistant
answers from the new data through the REST channel, with no restart and no retraining."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.paths import SERVICES_DIRECTORY
from tests.conftest import new_sender, texts

NEW_PHARMACY = '''
  - id: northwich-zedbury-all-hours-pharmacy
    name: Zedbury All Hours Pharmacy
    type: pharmacy
    location:
      address: 1 Test Lane, Zedbury
      postcode: CW9 9ZZ
    phones:
      - number: "01632 960999"
    opening_hours:
      always_open: true
    last_verified: 2026-11-01
'''


def publish(assistant, path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DIRECTORY_DB_URL=assistant.directory_db_url)
    return subprocess.run([sys.executable, "-m", "bot", "directory", "load", str(path)], env=env,
                          capture_output=True, text=True, timeout=120)


def test_edit_reload_and_see_the_change_without_restart(assistant, tmp_path: Path):
    edited = tmp_path / "directory"
    shutil.copytree(SERVICES_DIRECTORY, edited)
    northwich = edited / "cheshire-west" / "northwich.yml"
    text = northwich.read_text()
    text = text.replace("places:\n", "places:\n  - Zedbury\n", 1).rstrip("\n") + "\n" + NEW_PHARMACY
    northwich.write_text(text)
    question = "find a pharmacy in Zedbury"
    try:
        before = texts(assistant.send(question, new_sender()))
        assert "Zedbury All Hours Pharmacy" not in before
        result = publish(assistant, edited)
        assert result.returncode == 0, result.stdout + result.stderr
        sender = new_sender()
        after = texts(assistant.send(question, sender))
        assert "Zedbury All Hours Pharmacy" in after and "Open 24 hours" in after, after
        assert assistant.slots(sender)["care_community"] == "northwich"

        # A broken edit is refused and the assistant keeps answering from the last good data.
        (edited / "cheshire-west" / "winsford.yml").write_text("name: [unclosed\n")
        refused = publish(assistant, edited)
        assert refused.returncode == 1 and "not valid YAML" in refused.stdout
        assert "Zedbury All Hours Pharmacy" in texts(assistant.send(question, new_sender()))
    finally:
        assert publish(assistant, SERVICES_DIRECTORY).returncode == 0
