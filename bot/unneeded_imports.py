"""Keep libraries a process never uses from being imported in it: each costs seconds at start.

- TensorFlow (and torch) in the action server and the web page. Rasa needs TensorFlow installed,
  and spaCy's thinc imports it whenever it is installed, so `import spacy` (the red-flag rules)
  took 16 s and 550 MB in each of those processes, against 3.7 s and 110 MB without it
  (`/usr/bin/time python -c "import bot.triage.offline"`).
- jax in the Rasa server. TensorFlow's tf.lite imports jax whenever it is installed (TensorFlow
  2.12 requires it) for one converter this assistant never calls: 1.0 s and 87 MB of the Rasa
  server's start (`/usr/bin/time python -c "import rasa.core.run"`, with and without).

Each import of a name kept out raises ImportError, and the importer carries on as it does where
the library is not installed: thinc and tf.lite both catch it. Call keep_out() first thing in an
entry point, before anything imports the library. Never keep TensorFlow out of a process that
runs Rasa itself.
"""
from __future__ import annotations

import sys
from typing import Iterable

NOT_IN_SERVICES = ("tensorflow", "torch")  # the action server and the web page
NOT_IN_RASA_SERVER = ("jax",)


def keep_out(names: Iterable[str]) -> None:
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
