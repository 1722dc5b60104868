"""Start, watch and stop the assistant's processes (action server, Rasa server, web page).

`python -m bot run` and the integration-test fixture both use this, so that what the tests
exercise is what `make run` starts.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.paths import MODELS, ROOT, VAR

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on right now (for tests and parallel runs)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latest_model() -> Path:
    """The model `make` trains (models/current.tar.gz), or the newest one in models/."""
    current = MODELS / "current.tar.gz"
    if current.exists():
        return current
    models = sorted(MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise FileNotFoundError("No trained model in models/. Run `make train` (or `rasa train`) first.")
    return models[-1]


def write_endpoints(path: Path, action_port: int, tracker_store: dict | None = None,
                    lock_store: dict | None = None, action_url: str | None = None) -> Path:
    """Rasa's endpoints.yml with this run's action server port and stores."""
    endpoints: dict = {"action_endpoint": {"url": action_url or f"http://127.0.0.1:{action_port}/webhook"}}
    endpoints["tracker_store"] = tracker_store or {
        "type": "SQL", "dialect": "sqlite", "db": str(VAR / "tracker.db")}
    if lock_store:
        endpoints["lock_store"] = lock_store
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    return path


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if its parent dies, so no server outlives a killed run."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Managed:
    """One child process with the URL that says it is healthy."""
    name: str
    argv: list[str]
    health_url: str
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # A new process group, so that stopping it also stops what it spawned.
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=_die_with_parent)
        log.close()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode}; "
                                   f"see {self.log_path}")
            if self.healthy():
                return
            time.sleep(0.5)
        raise TimeoutError(f"{self.name} not healthy after {timeout:.0f}s; see {self.log_path}")

    def stop(self, timeout: float = 15) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass


def action_server(port: int, env: dict[str, str], log_dir: Path) -> Managed:
    return Managed(
        "action server",
        [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        f"http://127.0.0.1:{port}/health", env, log_dir / "actions.log")


def rasa_server(port: int, endpoints: Path, env: dict[str, str], log_dir: Path,
                model: Path | None = None, enable_api: bool = False,
                auth_token: str | None = None, interface: str = "127.0.0.1") -> Managed:
    argv = [str(VENV_BIN / "rasa"), "run", "--port", str(port), "--interface", interface,
            "--model", str(model or latest_model()), "--endpoints", str(endpoints),
            "--credentials", str(ROOT / "credentials.yml")]
    if enable_api:
        argv.append("--enable-api")
    if auth_token:
        argv += ["--auth-token", auth_token]
    return Managed("Rasa server", argv, f"http://127.0.0.1:{port}/", env, log_dir / "rasa.log")


def web_server(port: int, rasa_port: int, env: dict[str, str], log_dir: Path) -> Managed:
    argv = [str(VENV_BIN / "python"), "-m", "bot.web.server", "--port", str(port),
            "--rasa-url", f"http://127.0.0.1:{rasa_port}"]
    return Managed("web chat page", argv, f"http://127.0.0.1:{port}/healthz", env,
                   log_dir / "web.log")


def base_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env
