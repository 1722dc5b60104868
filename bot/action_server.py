"""`python -m bot.action_server --actions actions --port 5055`: the Rasa SDK action server, lean.

The same server as `python -m rasa_sdk` (same arguments), without TensorFlow (bot/unneeded_imports.py).
"""
from bot.unneeded_imports import NOT_IN_SERVICES, keep_out

keep_out(NOT_IN_SERVICES)

from rasa_sdk.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
