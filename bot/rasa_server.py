"""`python -m bot.rasa_server run …`: `rasa run` (same arguments), starting sooner.

- jax is kept out (bot/unneeded_imports.py): TensorFlow's tf.lite would import it for nothing.
- The intent classifier's loader imports skops.io, whose import looks up every numpy and scipy
  ufunc in every loaded module. After Rasa has imported TensorFlow (thousands of modules) that
  took 11 s of a 38 s start on a 2-core machine (py-spy of the start-up); imported first, before
  TensorFlow, it takes a fraction of a second.
- `run` takes the HTTP API's token from RASA_AUTH_TOKEN, in-process: given as `--auth-token` on
  the command line, any local user could read it with `ps` (/proc/<pid>/cmdline).
Nothing else changes.
"""
import os
import sys

from bot.unneeded_imports import NOT_IN_RASA_SERVER, keep_out

keep_out(NOT_IN_RASA_SERVER)

import skops.io  # noqa: E402,F401  - first, while few modules are loaded

from rasa.__main__ import main  # noqa: E402

AUTH_TOKEN_ENV = "RASA_AUTH_TOKEN"


def with_auth_token(argv: list[str], environ) -> list[str]:
    """argv with `--auth-token` from the environment added to a `run` command that has none.

    Changing sys.argv does not change /proc/<pid>/cmdline, so the token stays out of `ps`.
    """
    token = environ.get(AUTH_TOKEN_ENV)
    if not token or len(argv) < 2 or argv[1] != "run" or "--auth-token" in argv:
        return argv
    return [*argv, "--auth-token", token]


if __name__ == "__main__":
    sys.argv = with_auth_token(sys.argv, os.environ)
    main()
