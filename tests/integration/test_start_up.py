"""What each running server has loaded: the libraries kept out of it (bot/unneeded_imports.py)
must not be there, and the Rasa server must still have TensorFlow (Rasa needs it)."""
from __future__ import annotations

from pathlib import Path

import pytest

TENSORFLOW = "libtensorflow_framework.so"
JAX = "jaxlib/"


def children(pid: int) -> dict[str, int]:
    """Direct children of pid, by the module each runs (`python -m bot.web` -> "bot.web")."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"-m" in argv:
            found[argv[argv.index(b"-m") + 1].decode()] = int(entry.name)
    return found


def mapped(pid: int) -> str:
    return (Path("/proc") / str(pid) / "maps").read_text()


@pytest.fixture(scope="module")
def servers(assistant) -> dict[str, int]:
    assistant.send("hello")  # every server has loaded what answering needs
    found = children(assistant.run_pid)
    assert {"bot.rasa_server", "bot.action_server", "bot.web"} <= found.keys(), found
    return found


@pytest.mark.parametrize("module", ["bot.action_server", "bot.web"])
def test_tensorflow_is_kept_out_of_the_action_server_and_the_web_page(servers, module):
    assert TENSORFLOW not in mapped(servers[module])


def test_the_rasa_server_has_tensorflow_but_not_jax(servers):
    libraries = mapped(servers["bot.rasa_server"])
    assert TENSORFLOW in libraries
    assert JAX not in libraries
