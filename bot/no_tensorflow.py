"""Keep TensorFlow out of the processes that never use it: the action server and the web page.

Rasa needs TensorFlow installed, and spaCy's thinc imports it whenever it is installed, so
`import spacy` (the red-flag rules) took 16 s and 550 MB in each of those processes, against
3.7 s and 110 MB without it (`/usr/bin/time python -c "import bot.triage.offline"`). Three
processes importing TensorFlow at once on two cores doubled the assistant's start-up time.

Call keep_out() first thing in those processes' entry points (bot/action_server.py,
bot/web/__main__.py): an import of TensorFlow then fails, and thinc carries on without it as
it does where TensorFlow is not installed. Never call it in a process that uses Rasa itself.
"""
from __future__ import annotations

import sys

NOT_NEEDED = ("tensorflow", "torch")


def keep_out() -> None:
    for name in NOT_NEEDED:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
