"""`python -m bot.web --port 8000 --rasa-url …`: the web chat page, without TensorFlow (bot/no_tensorflow.py)."""
from bot.no_tensorflow import keep_out

keep_out()

from bot.web.server import main  # noqa: E402

main()
