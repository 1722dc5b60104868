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
from sqlalchemy.engine import make_url

from bot.paths import MODELS, ROOT, VAR

# Where Rasa keeps conversations and takes its per-conversation locks (docs/deployment.md).
TRACKER_STORE_URL_ENV = "TRACKER_STORE_URL"  # SQLAlchemy URL; unset: SQLite file under var/
LOCK_STORE_URL_ENV = "LOCK_STORE_URL"        # redis://…; unset: in-memory (one Rasa server only)
RASA_SERVERS_ENV = "RASA_SERVERS"            # Rasa servers `python -m bot run` starts (default 1)
# Secrets go to the children in their environment, never on a command line (`ps` shows those).
RASA_AUTH_TOKEN_ENV = "RASA_AUTH_TOKEN"          # read by bot/rasa_server.py
ACTION_SERVER_TOKEN_ENV = "ACTION_SERVER_TOKEN"  # read by bot/action_server.py and by Rasa (endpoints.yml)

VENV_BIN = Path(sys.executable).parent
# Rasa's SQL tracker store with cheaper SQL, same table (bot/tracker_store.py).
TRACKER_STORE_TYPE = "bot.tracker_store.CareSQLTrackerStore"


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


def tracker_store_config(url: str | None = None) -> dict:
    """Rasa's SQL tracker store settings for a SQLAlchemy URL (TRACKER_STORE_URL).

    None or "" gives the embedded SQLite file var/tracker.db. `sqlite:///path` gives that file.
    `postgresql://user:password@host:5432/care` gives Rasa's PostgreSQL settings; the database
    must exist, unless the URL ends `?login_db=postgres`: Rasa then connects to that database
    first and creates `care` (the user needs CREATEDB). Other query parameters (`sslmode=require`)
    go to the driver.
    """
    if not url:
        return {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": str(VAR / "tracker.db")}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("TRACKER_STORE_URL: a SQLite tracker store needs a file, e.g. sqlite:///var/tracker.db")
        return {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": parsed.database}
    if not parsed.database:
        raise ValueError(f"TRACKER_STORE_URL: no database name in {parsed!r}")
    config: dict = {"type": TRACKER_STORE_TYPE, "dialect": parsed.drivername, "url": parsed.host or "localhost",
                    "db": parsed.database}
    if parsed.port:
        config["port"] = parsed.port
    if parsed.username:
        config["username"] = parsed.username
    if parsed.password is not None:
        config["password"] = str(parsed.password)
    query = dict(parsed.query)
    login_db = query.pop("login_db", None)
    if login_db:
        config["login_db"] = login_db
    if query:
        config["query"] = query
    return config


def lock_store_config(url: str | None = None) -> dict | None:
    """Redis lock store settings for LOCK_STORE_URL, or None (Rasa's in-memory lock store).

    `redis://[[user]:password@]host[:port][/db][?key_prefix=care]`; `rediss://` for TLS. The key
    prefix (letters and digits) keeps several deployments apart in one Redis database. The store
    is bot.lock_store.AtomicRedisLockStore: Rasa's RedisLockStore with atomic updates, because
    Rasa's own lets two servers take one conversation's lock at once.
    """
    if not url:
        return None
    parsed = make_url(url)
    if parsed.drivername not in ("redis", "rediss"):
        raise ValueError(f"LOCK_STORE_URL must be redis:// or rediss://, not {parsed.drivername}://")
    config: dict = {"type": "bot.lock_store.AtomicRedisLockStore", "url": parsed.host or "localhost",
                    "port": parsed.port or 6379,
                    "db": int(parsed.database or 0)}
    if parsed.username:
        config["username"] = parsed.username
    if parsed.password is not None:
        config["password"] = str(parsed.password)
    if parsed.drivername == "rediss":
        config["use_ssl"] = True
    key_prefix = parsed.query.get("key_prefix")
    if key_prefix:
        if not str(key_prefix).isalnum():
            raise ValueError("LOCK_STORE_URL: key_prefix must be letters and digits only")
        config["key_prefix"] = str(key_prefix)
    return config


def stores_from_env(environ: dict[str, str] | None = None) -> tuple[dict, dict | None]:
    """(tracker store, lock store) settings from TRACKER_STORE_URL and LOCK_STORE_URL."""
    environ = os.environ if environ is None else environ
    return (tracker_store_config(environ.get(TRACKER_STORE_URL_ENV) or None),
            lock_store_config(environ.get(LOCK_STORE_URL_ENV) or None))


def write_endpoints(path: Path, action_port: int, tracker_store: dict | None = None,
                    lock_store: dict | None = None, action_url: str | None = None,
                    action_token: bool = False) -> Path:
    """Rasa's endpoints.yml with this run's action server port and stores.

    The file holds database and Redis passwords when the URLs have them: it is written readable
    by its owner only. With action_token, Rasa sends the action server's bearer token, which it
    reads from its own environment (`${ACTION_SERVER_TOKEN}`), so the token is in no file.
    """
    action_endpoint: dict = {"url": action_url or f"http://127.0.0.1:{action_port}/webhook"}
    if action_token:
        action_endpoint["headers"] = {"Authorization": f"Bearer ${{{ACTION_SERVER_TOKEN_ENV}}}"}
    endpoints: dict = {"action_endpoint": action_endpoint}
    endpoints["tracker_store"] = tracker_store or tracker_store_config(None)
    if lock_store:
        endpoints["lock_store"] = lock_store
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(yaml.safe_dump(endpoints, sort_keys=False))
    os.chmod(path, 0o600)
    return path


def die_with_parent() -> None:
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
                                     preexec_fn=die_with_parent)
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

    def kill_leftovers(self) -> None:
        """After the child died: kill what it left in its process group (a Sanic worker, say), so
        that nothing holds its port when it is started again."""
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a crashed child: `first` seconds, doubling with each
    crash in a row up to `longest`; a child that ran `settled` seconds starts again from `first`.
    A child that cannot start (a port taken, a database gone) is retried, not hammered."""
    first: float = 1.0
    longest: float = 30.0
    settled: float = 60.0

    def delay(self, crashes_in_a_row: int) -> float:
        return min(self.longest, self.first * 2 ** max(0, crashes_in_a_row - 1))


def exit_reason(returncode: int) -> str:
    """"exit code 1" or "killed by SIGKILL", from Popen's returncode."""
    if returncode >= 0:
        return f"exit code {returncode}"
    try:
        return f"killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"killed by signal {-returncode}"


@dataclass
class _Watch:
    started: float
    crashes: int = 0
    restart_at: float | None = None
    restarting: bool = False  # restarted, not yet healthy


class Supervisor:
    """Keeps the children of `python -m bot run` running: one that stops is started again after
    a back-off, and the others carry on meanwhile (the web page server skips a Rasa server that is
    down; without the action server Rasa still answers red flags with 999 and the rest with 111).

    Call check() every second or so. Each event is one line to `report`, with the child's name,
    why it stopped and where its log is; never anything a resident wrote.
    """

    def __init__(self, procs: list[Managed], backoff: Backoff = Backoff(),
                 report=print, clock=time.monotonic) -> None:
        self.procs = procs
        self.backoff = backoff
        self.report = report
        self.clock = clock
        now = clock()
        self._watch = {id(proc): _Watch(started=now) for proc in procs}

    def check(self) -> None:
        now = self.clock()
        for proc in self.procs:
            watch = self._watch[id(proc)]
            if watch.restart_at is not None:
                if now >= watch.restart_at:
                    self._restart(proc, watch, now)
                continue
            returncode = proc.proc.poll() if proc.proc else None
            if returncode is not None:
                proc.kill_leftovers()
                watch.crashes = 1 if now - watch.started >= self.backoff.settled else watch.crashes + 1
                delay = self.backoff.delay(watch.crashes)
                watch.restart_at = now + delay
                watch.restarting = False
                self.report(f"{_stamp()} {proc.name} stopped unexpectedly ({exit_reason(returncode)}); "
                            f"restarting it in {delay:g} s (crash {watch.crashes} in a row). "
                            f"Its log: {proc.log_path}")
            elif watch.restarting and proc.healthy():
                watch.restarting = False
                self.report(f"{_stamp()} {proc.name} is up again (pid {proc.proc.pid}).")

    def _restart(self, proc: Managed, watch: _Watch, now: float) -> None:
        watch.restart_at = None
        watch.started = now
        try:
            proc.start()
        except OSError as exc:  # e.g. the log directory gone: try again later, as for a crash
            watch.crashes += 1
            delay = self.backoff.delay(watch.crashes)
            watch.restart_at = now + delay
            self.report(f"{_stamp()} {proc.name} could not be started ({exc.__class__.__name__}: {exc}); "
                        f"trying again in {delay:g} s.")
            return
        watch.restarting = True
        self.report(f"{_stamp()} {proc.name} restarted (pid {proc.proc.pid}).")


def _stamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def action_server(port: int, env: dict[str, str], log_dir: Path) -> Managed:
    return Managed(
        "action server",
        [str(VENV_BIN / "python"), "-m", "bot.action_server", "--actions", "actions", "--port", str(port)],
        f"http://127.0.0.1:{port}/health", env, log_dir / "actions.log")


def rasa_server(port: int, endpoints: Path, env: dict[str, str], log_dir: Path,
                model: Path | None = None, enable_api: bool = False,
                auth_token: str | None = None, interface: str = "127.0.0.1",
                name: str = "Rasa server", log_name: str = "rasa.log") -> Managed:
    """A Rasa server; auth_token protects its HTTP API and reaches it in RASA_AUTH_TOKEN, not argv."""
    argv = [str(VENV_BIN / "python"), "-m", "bot.rasa_server", "run", "--port", str(port), "--interface", interface,
            "--model", str(model or latest_model()), "--endpoints", str(endpoints),
            "--credentials", str(ROOT / "credentials.yml")]
    if enable_api:
        argv.append("--enable-api")
    env = {key: value for key, value in env.items() if key != RASA_AUTH_TOKEN_ENV}
    if auth_token:
        env[RASA_AUTH_TOKEN_ENV] = auth_token
    return Managed(name, argv, f"http://127.0.0.1:{port}/", env, log_dir / log_name)


def web_server(port: int, rasa_port: int, env: dict[str, str], log_dir: Path,
               more_rasa_ports: list[int] | tuple[int, ...] = ()) -> Managed:
    """The web chat page; with more Rasa ports it spreads chat messages over all of them."""
    argv = [str(VENV_BIN / "python"), "-m", "bot.web", "--port", str(port)]
    for rasa in (rasa_port, *more_rasa_ports):
        argv += ["--rasa-url", f"http://127.0.0.1:{rasa}"]
    return Managed("web chat page", argv, f"http://127.0.0.1:{port}/healthz", env,
                   log_dir / "web.log")


def base_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env
