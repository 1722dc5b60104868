"""`python -m bot.web --port 8000 --rasa-url …`: the web chat page, without TensorFlow (bot/unneeded_imports.py)."""
from bot.unneeded_imports import NOT_IN_SERVICES, keep_out

keep_out(NOT_IN_SERVICES)

from bot.web.server import main  # noqa: E402

main()
