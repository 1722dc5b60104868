"""`python -m bot.action_server --actions actions --port 5055`: the Rasa SDK action server, lean.

The same server as `python -m rasa_sdk` (same arguments), without TensorFlow (bot/no_tensorflow.py).
"""
from bot.no_tensorflow import keep_out

keep_out()

from rasa_sdk.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
