"""Where the project's files live, so that every entry point agrees without flags."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("CARE_VAR_DIR", ROOT / "var"))
MODELS = ROOT / "models"
SERVICES_DIRECTORY = ROOT / "services_directory"
STATIC = ROOT / "bot" / "web" / "static"
