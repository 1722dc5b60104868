"""`python -m bot.rasa_server run …`: `rasa run` (same arguments), starting sooner.

- jax is kept out (bot/unneeded_imports.py): TensorFlow's tf.lite would import it for nothing.
- The intent classifier's loader imports skops.io, whose import looks up every numpy and scipy
  ufunc in every loaded module. After Rasa has imported TensorFlow (thousands of modules) that
  took 11 s of a 38 s start on a 2-core machine (py-spy of the start-up); imported first, before
  TensorFlow, it takes a fraction of a second.
Nothing else changes.
"""
from bot.unneeded_imports import NOT_IN_RASA_SERVER, keep_out

keep_out(NOT_IN_RASA_SERVER)

import skops.io  # noqa: E402,F401  - first, while few modules are loaded

from rasa.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
